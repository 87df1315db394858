package io.calicowebhook.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.calicowebhook.admission.Tls;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every metric the dashboard's queries and the chart's alerts name is one that a running service
 * exports at /q/metrics from start-up (here in local mode: the tests run without the reconciler),
 * so that no panel stays empty and no alert silently matches nothing.
 */
@QuarkusTest
class ExportedMetricsTest {
  private static final Pattern METRIC = Pattern.compile("\\bcalico_[a-z0-9_]+");
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)");

  @TestHTTPResource(value = "/", management = true, tls = true)
  URL base;

  @Test
  void everyMetricTheDashboardQueriesIsExported() throws IOException {
    Set<String> queried = new TreeSet<>();
    JsonNode dashboard =
        new ObjectMapper().readTree(Files.readString(ChartMonitoringTest.DASHBOARD));
    dashboard.findValues("expr").forEach(expr -> collect(expr.asText(), queried));
    dashboard.findValues("query").forEach(q -> collect(q.toString(), queried));
    assertTrue(queried.size() >= 10, () -> "too few metrics found in the dashboard: " + queried);
    Set<String> missing = new TreeSet<>(queried);
    missing.removeAll(exported().keySet());
    assertEquals(Set.of(), missing, "queried by the dashboard but not exported");
  }

  @Test
  void everyMetricTheAlertsWatchIsExported() {
    Set<String> watched = new TreeSet<>();
    for (Map<String, Object> rule :
        ChartMonitoringTest.alertRules(
            Chart.withEtcd().set("metrics.prometheusRule.enabled", true).render())) {
      collect(String.valueOf(rule.get("expr")), watched);
    }
    assertTrue(watched.contains("calico_leader"), watched::toString);
    Set<String> missing = new TreeSet<>(watched);
    missing.removeAll(exported().keySet());
    assertEquals(Set.of(), missing, "watched by an alert but not exported");
  }

  /** In local mode the replica writes alone: it leads, has no informer and never resyncs. */
  @Test
  void localModeLeadsWithoutInformerOrResync() {
    Map<String, String> samples = samples();
    assertEquals("1.0", samples.get("calico_leader{mode=\"local\"}"), samples::toString);
    assertEquals("0.0", samples.get("calico_informer_watching"));
    assertEquals("0.0", samples.get("calico_resync_last_success_timestamp_seconds"));
    // How many pods are fail-closed depends on what earlier tests in this application admitted;
    // that every reason's series exists and counts is what a dashboard needs.
    for (String reason : List.of("InvalidCalicoPolicy", "CalicoProfileTooLarge")) {
      String value = samples.get("calico_pods_fail_closed{reason=\"" + reason + "\"}");
      assertTrue(value != null && Double.parseDouble(value) >= 0, reason + ": " + value);
    }
  }

  private static void collect(String text, Set<String> into) {
    Matcher m = METRIC.matcher(text);
    while (m.find()) {
      into.add(m.group());
    }
  }

  /** Sample name to value, of every sample of the scrape (series by their full label set). */
  private Map<String, String> exported() {
    Map<String, String> names = new java.util.TreeMap<>();
    samples().forEach((series, value) -> names.put(series.replaceAll("\\{.*", ""), value));
    return names;
  }

  private Map<String, String> samples() {
    String scrape = Tls.given(base).get("/q/metrics").then().statusCode(200).extract().asString();
    Map<String, String> samples = new java.util.TreeMap<>();
    for (String line : scrape.split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (!line.startsWith("#") && m.find()) {
        samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), m.group(3));
      }
    }
    return samples;
  }
}
