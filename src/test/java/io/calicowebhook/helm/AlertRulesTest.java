package io.calicowebhook.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The PrometheusRule's alerts, taken from the chart as rendered with its defaults, checked by
 * promtool: {@code check rules}, then {@code test rules} on the synthetic series of
 * src/test/resources/prometheus/alerts-test.yaml, where every alert is seen firing and not firing.
 */
class AlertRulesTest {
  static final Path TESTS = Path.of("src/test/resources/prometheus/alerts-test.yaml");
  private static final long TIMEOUT_SECONDS = 120;
  private static final int MAX_OUTPUT = 64 * 1024;

  @TempDir static Path dir;
  private static List<Map<String, Object>> rules;

  @BeforeAll
  static void writeRules() throws IOException {
    rules =
        ChartMonitoringTest.alertRules(
            Chart.withEtcd().set("metrics.prometheusRule.enabled", true).render());
    Map<String, Object> file =
        Map.of("groups", List.of(Map.of("name", "calico-policy-webhook", "rules", rules)));
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    Files.writeString(dir.resolve("rules.yaml"), new Yaml(options).dump(file));
    Files.copy(TESTS, dir.resolve("alerts-test.yaml"));
  }

  @Test
  void promtoolAcceptsTheRules() throws Exception {
    Result result = promtool("check", "rules", "rules.yaml");
    assertEquals(0, result.exitCode(), result.output());
    assertTrue(
        result.output().contains("SUCCESS: " + rules.size() + " rules found"), result.output());
  }

  @Test
  void everyAlertFiresOnItsSeriesAndStaysQuietOnHealthyOnes() throws Exception {
    Result result = promtool("test", "rules", "alerts-test.yaml");
    assertEquals(0, result.exitCode(), result.output());
  }

  /** Each alert of the chart is expected firing at least once and not firing at least once. */
  @Test
  @SuppressWarnings("unchecked")
  void theTestsCoverEveryAlertBothWays() throws IOException {
    Map<String, Object> tests = new Yaml().load(Files.readString(TESTS));
    Set<String> firing = new TreeSet<>();
    Set<String> quiet = new TreeSet<>();
    for (Map<String, Object> test : (List<Map<String, Object>>) tests.get("tests")) {
      for (Map<String, Object> check :
          (List<Map<String, Object>>) test.getOrDefault("alert_rule_test", List.of())) {
        List<?> alerts = (List<?>) check.get("exp_alerts");
        String name = (String) check.get("alertname");
        (alerts == null || alerts.isEmpty() ? quiet : firing).add(name);
      }
    }
    Set<String> names =
        rules.stream()
            .map(r -> (String) r.get("alert"))
            .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(names, firing, "alerts seen firing");
    assertEquals(names, quiet, "alerts seen not firing");
  }

  private record Result(int exitCode, String output) {}

  private static Result promtool(String... args) throws IOException, InterruptedException {
    boolean found =
        List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)).stream()
            .anyMatch(d -> Files.isExecutable(Path.of(d, "promtool")));
    if (!found) {
      fail("promtool is not on PATH: make deps installs it (Debian package prometheus)");
    }
    Path log = dir.resolve("promtool.log");
    List<String> command = new java.util.ArrayList<>(List.of("promtool"));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("promtool " + String.join(" ", args) + " still ran after " + TIMEOUT_SECONDS + " s");
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    if (output.length() > MAX_OUTPUT) {
      output = output.substring(0, MAX_OUTPUT) + "\n... (cut)";
    }
    return new Result(process.exitValue(), output);
  }
}
