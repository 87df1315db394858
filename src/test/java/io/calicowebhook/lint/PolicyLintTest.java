package io.calicowebhook.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The linter on whole files: every line it prints and its exit code, compared with {@code
 * <file>.out} and {@code <file>.err} beside each file under {@code src/test/resources/lint}.
 */
class PolicyLintTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LINE =
      Pattern.compile("^(.+?):(\\d+):(\\d+): (error|warning): (.+?): (.+)$");
  private static final Pattern FOUND = Pattern.compile("found '([^']+)'");

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    // several documents, a List, comments, anchors, a merge key, >- and | block scalars,
    // the legacy key, kube-system and hostNetwork, a ConfigMap and a Service skipped
    "workloads.yaml, 1",
    // JSON indented with tabs, a List, a \\u-escaped policy, two values in a row
    "list.json, 1",
    // a broken policy, then a document that is not YAML
    "malformed.yaml, 2",
    // valid policies and other kinds
    "clean.yaml, 0",
  })
  void printsExactlyTheExpectedLinesAndExitCode(String name, int exitCode) throws IOException {
    Lint lint = Lint.run(Lint.file(name));

    assertEquals(expected(name + ".out"), lint.out());
    assertEquals(expected(name + ".err"), lint.err());
    assertEquals(exitCode, lint.exitCode());
  }

  @Test
  void pointsEachPolicyErrorAtTheTextItFoundInTheFile() throws IOException {
    List<String> text = Files.readAllLines(Lint.FILES.resolve("workloads.yaml"));
    List<String> found = Lint.run(Lint.file("workloads.yaml")).lines();

    int checked = 0;
    for (String line : found) {
      Matcher problem = LINE.matcher(line);
      assertTrue(problem.matches(), line);
      Matcher what = FOUND.matcher(problem.group(6));
      if (what.find()) {
        String written = text.get(Integer.parseInt(problem.group(2)) - 1);
        int column = Integer.parseInt(problem.group(3));
        int at = written.offsetByCodePoints(0, column - 1);
        assertTrue(written.startsWith(what.group(1), at), () -> line + "\n" + written);
        checked++;
      }
    }
    assertEquals(5, checked, "every error of workloads.yaml names what it found");
  }

  @Test
  void printsTheSameProblemsAsJson() throws IOException {
    List<String> text = Lint.run(Lint.file("workloads.yaml")).lines();
    Lint lint = Lint.run("--format", "json", Lint.file("workloads.yaml"));

    JsonNode report = JSON.readTree(lint.out());
    assertEquals(1, lint.exitCode());
    assertEquals(text.size(), report.get("problems").size());
    for (int i = 0; i < text.size(); i++) {
      JsonNode problem = report.get("problems").get(i);
      String asText =
          String.join(
              ": ",
              problem.get("file").asText()
                  + ":"
                  + problem.get("line").asInt()
                  + ":"
                  + problem.get("column").asInt(),
              problem.get("severity").asText(),
              problem.get("object").asText(),
              problem.get("message").asText());
      assertEquals(text.get(i), asText);
      assertEquals(
          problem.has("rule"),
          problem
              .get("message")
              .asText()
              .startsWith(problem.get("annotation").asText() + ": rule "));
    }
    JsonNode first = report.get("problems").get(0);
    assertEquals(2, first.get("rule").asInt());
    assertEquals(54, first.get("ruleColumn").asInt());
    assertEquals(
        "spec.template.metadata.annotations[projectcalico.org/policy]",
        first.get("annotation").asText());
    assertEquals(5, report.get("errors").asInt());
    assertEquals(5, report.get("warnings").asInt());
    assertTrue(report.get("unreadable").isEmpty());
  }

  @Test
  void listsUnreadableInputInJsonWithWhereItWentWrong() throws IOException {
    Lint lint = Lint.run("--format=json", Lint.file("malformed.yaml"), Lint.file("missing.yaml"));

    JsonNode report = JSON.readTree(lint.out());
    assertEquals(2, lint.exitCode());
    assertEquals(1, report.get("problems").size());
    JsonNode malformed = report.get("unreadable").get(0);
    assertEquals(Lint.file("malformed.yaml"), malformed.get("file").asText());
    assertEquals(15, malformed.get("line").asInt());
    assertTrue(malformed.get("message").asText().startsWith("malformed YAML: "));
    JsonNode missing = report.get("unreadable").get(1);
    assertEquals("cannot read: no such file", missing.get("message").asText());
    assertFalse(missing.has("line"));
  }

  @Test
  void readsStandardInputForDash() {
    Lint lint =
        Lint.withInput(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
                + "    projectcalico.org/policy: allow tcp to ports 80,Y\n",
            "-");

    assertEquals(
        List.of(
            "<stdin>:6:53: error: Pod p: projectcalico.org/policy: rule 1, column 23: found 'Y' in"
                + " port list, expected a port number (0-65535) or a range N:M"),
        lint.lines());
    assertEquals(1, lint.exitCode());
  }

  /** The parser keeps 20 bad rules of an annotation and counts the rest; so does the report. */
  @Test
  void reportsTwentyBadRulesOfAnAnnotationThenHowManyMore() throws IOException {
    String yaml = deployment("\"" + ";".repeat(1000) + "\"");
    String annotation = "spec.template.metadata.annotations[projectcalico.org/policy]";

    Lint lint = Lint.withInput(yaml, "-");

    List<String> lines = lint.lines();
    assertEquals(21, lines.size(), lint.out());
    assertEquals(
        "<stdin>:8:36: error: Deployment web: "
            + annotation
            + ": rule 1, column 1: found ';', expected a rule starting with 'allow' (empty rule:"
            + " remove the extra ';')",
        lines.get(0));
    assertTrue(
        lines
            .get(19)
            .startsWith("<stdin>:8:55: error: Deployment web: " + annotation + ": rule 20,"),
        lines.get(19));
    assertEquals(
        "<stdin>:8:55: error: Deployment web: " + annotation + ": ... and 981 more bad rules",
        lines.get(20));
    assertEquals(1, lint.exitCode());

    JsonNode report = JSON.readTree(Lint.withInput(yaml, "--format", "json", "-").out());
    JsonNode more = report.get("problems").get(20);
    assertEquals(981, more.get("more").asInt());
    assertFalse(more.has("rule"), more::toString);
    assertFalse(report.get("problems").get(19).has("more"));
    assertEquals(1001, report.get("errors").asInt(), "every bad rule is counted");
  }

  @Test
  void reportsTwentyWarningsOfAnAnnotationThenHowManyMore() throws IOException {
    String yaml = deployment("\"" + "allow; ".repeat(30) + "allow\"");

    Lint lint = Lint.withInput(yaml, "-");

    List<String> lines = lint.lines();
    assertEquals(21, lines.size(), lint.out());
    assertTrue(
        lines.get(19).startsWith("<stdin>:8:169: warning: Deployment web: ")
            && lines.get(19).contains(": rule 20, column 134: this rule allows all traffic"),
        lines.get(19));
    assertEquals(
        "<stdin>:8:169: warning: Deployment web:"
            + " spec.template.metadata.annotations[projectcalico.org/policy]:"
            + " ... and 11 more warnings",
        lines.get(20));
    assertEquals(0, lint.exitCode());
    JsonNode report = JSON.readTree(Lint.withInput(yaml, "--format", "json", "-").out());
    assertEquals(31, report.get("warnings").asInt());
  }

  private static String deployment(String policy) {
    return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n"
        + "    metadata:\n      annotations:\n        projectcalico.org/policy: "
        + policy
        + "\n";
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "a mapping | {a: b}",
        "a list | [allow]",
        "a YAML boolean | yes",
        "a number | 42",
      })
  void refusesAPolicyThatIsNotAString(String what, String policy) {
    Lint lint =
        Lint.withInput(
            "apiVersion: v1\nkind: Pod\nmetadata: {annotations: {policy: " + policy + "}}", "-");

    assertEquals(
        List.of("<stdin>:3:34: error: Pod: policy: expected a string (quote the value)"),
        lint.lines(),
        what);
    assertEquals(1, lint.exitCode());
  }

  @Test
  void reportsAnObjectRepeatedByAliasesOnce() {
    StringBuilder yaml = new StringBuilder("apiVersion: v1\nkind: List\nlevels:\n");
    yaml.append("  - &l0 {apiVersion: v1, kind: Pod, metadata: {name: p, annotations: ")
        .append("{projectcalico.org/policy: deny}}}\n");
    for (int level = 1; level < Linter.MAX_LIST_DEPTH; level++) {
      String ten = String.join(", ", java.util.Collections.nCopies(10, "*l" + (level - 1)));
      yaml.append("  - &l")
          .append(level)
          .append(" {kind: List, items: [")
          .append(ten)
          .append("]}\n");
    }
    yaml.append("items: [*l").append(Linter.MAX_LIST_DEPTH - 1).append("]\n");

    Lint lint = Lint.withInput(yaml.toString(), "-");

    assertEquals(1, lint.lines().size(), lint.out());
    assertTrue(lint.out().startsWith("<stdin>:4:"), lint.out());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "no input | | calico-policy-lint: no input: name files, or - for standard input",
        "unknown option | --bogus x.yaml | calico-policy-lint: unknown option --bogus",
        "unknown format | --format xml x.yaml | calico-policy-lint: --format takes text or json,"
            + " not 'xml'",
        "format without value | x.yaml --format | calico-policy-lint: --format takes text or json,"
            + " not ''",
      })
  void refusesABadCommandLineWithUsage(String what, String args, String message) {
    Lint lint = Lint.run(args == null ? new String[0] : args.split(" "));

    assertEquals(2, lint.exitCode());
    assertTrue(lint.err().startsWith(message + "\nusage: "), lint.err());
    assertEquals("", lint.out());
  }

  @Test
  void printsUsageOnHelp() {
    Lint lint = Lint.run("--help");

    assertEquals(0, lint.exitCode());
    assertTrue(lint.out().startsWith("usage: java -jar calico-policy-lint.jar"), lint.out());
  }

  @Test
  void namesEveryUnreadableFileAndGoesOnWithTheRest(@TempDir Path dir) throws IOException {
    Path latin1 = Files.write(dir.resolve("latin1.yaml"), new byte[] {'a', ':', ' ', (byte) 0xe9});
    String missing = dir.resolve("missing.yaml").toString();

    Lint lint = Lint.run(missing, dir.toString(), latin1.toString(), Lint.file("workloads.yaml"));

    assertEquals(
        List.of(
            missing + ": fatal: cannot read: no such file",
            dir + ": fatal: cannot read: Is a directory",
            latin1 + ": fatal: not UTF-8 text"),
        lint.err().lines().toList());
    assertEquals(expected("workloads.yaml.out"), lint.out());
    assertEquals(2, lint.exitCode());
  }

  @Test
  void refusesInputOverTheBound() {
    byte[] big = new byte[Source.MAX_BYTES + 1];
    java.util.Arrays.fill(big, (byte) '#');

    Lint lint = Lint.withInput(big, "-");

    assertEquals("<stdin>: fatal: larger than 16 MiB\n", lint.err());
    assertEquals(2, lint.exitCode());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"YAML, '[', ']', malformed YAML: ", "JSON, '{\"a\":[', ']}', malformed JSON: "})
  void refusesNestingDeeperThanTheBoundWithoutAStackTrace(
      String format, String open, String close, String message) {
    String deep = open + "[".repeat(300) + "]".repeat(300) + close;

    Lint lint = Lint.withInput(deep, "-");

    assertEquals(2, lint.exitCode());
    assertTrue(lint.err().startsWith("<stdin>: fatal: " + message), lint.err());
    assertTrue(lint.err().contains("200"), lint.err());
    assertEquals(1, lint.err().lines().count(), lint.err());
  }

  private static String expected(String name) throws IOException {
    Path file = Lint.FILES.resolve(name);
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
  }
}
