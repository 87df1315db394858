package io.calicowebhook.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** metrics.*: the metrics Service, ServiceMonitor, PrometheusRule and dashboard, each opt-in. */
class ChartMonitoringTest {
  static final Path DASHBOARD = Chart.DIR.resolve("dashboards/calico-policy-webhook.json");
  static final Path RUNBOOK = Path.of("docs", "runbook.md");
  private static final String METRICS_SERVICE = Chart.RELEASE + "-calico-policy-webhook-metrics";

  @Test
  void rendersNoMonitoringObjectUnlessAsked() {
    Manifests manifests = Chart.withEtcd().render();
    assertEquals(List.of(Chart.RELEASE + "-calico-policy-webhook"), serviceNames(manifests));
    assertFalse(manifests.custom("ServiceMonitor").isPresent());
    assertFalse(manifests.custom("PrometheusRule").isPresent());
    assertTrue(manifests.all(ConfigMap.class).isEmpty());
  }

  @Test
  void aMetricsServiceForPrometheusWithoutTheOperator() {
    Manifests manifests = Chart.withEtcd().set("metrics.service.enabled", true).render();
    assertFalse(manifests.custom("ServiceMonitor").isPresent());
    Service metrics = metricsService(manifests);
    Deployment deployment = manifests.one(Deployment.class);
    assertEquals(
        deployment.getSpec().getSelector().getMatchLabels(), metrics.getSpec().getSelector());
    ServicePort port = metrics.getSpec().getPorts().get(0);
    assertEquals(1, metrics.getSpec().getPorts().size());
    assertEquals("metrics", port.getName());
    Set<String> containerPorts =
        deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().stream()
            .map(ContainerPort::getName)
            .collect(Collectors.toSet());
    assertTrue(
        containerPorts.contains(port.getTargetPort().getStrVal()),
        () -> port.getTargetPort() + " is not a container port: " + containerPorts);
    Map<String, String> annotations = metrics.getMetadata().getAnnotations();
    assertEquals("true", annotations.get("prometheus.io/scrape"));
    assertEquals("/q/metrics", annotations.get("prometheus.io/path"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void theServiceMonitorSelectsOnlyTheMetricsServiceAndTrustsTheChartsCa() {
    Manifests manifests = Chart.withEtcd().set("metrics.serviceMonitor.enabled", true).render();
    GenericKubernetesResource monitor = manifests.custom("ServiceMonitor").orElseThrow();
    Map<String, Object> spec = (Map<String, Object>) monitor.getAdditionalProperties().get("spec");
    Map<String, String> selector =
        (Map<String, String>) ((Map<String, Object>) spec.get("selector")).get("matchLabels");
    List<Service> selected =
        manifests.all(Service.class).stream()
            .filter(s -> s.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
            .toList();
    assertEquals(List.of(metricsService(manifests)), selected);
    assertEquals(Map.of("matchNames", List.of(Chart.NAMESPACE)), spec.get("namespaceSelector"));
    Map<String, Object> endpoint = ((List<Map<String, Object>>) spec.get("endpoints")).get(0);
    assertEquals(
        metricsService(manifests).getSpec().getPorts().get(0).getName(), endpoint.get("port"));
    assertEquals("/q/metrics", endpoint.get("path"));
    Map<String, Object> tls = (Map<String, Object>) endpoint.get("tlsConfig");
    assertEquals(
        Map.of(
            "secret",
            Map.of("name", Chart.RELEASE + "-calico-policy-webhook-tls", "key", "ca.crt")),
        tls.get("ca"));
    assertEquals(
        Chart.RELEASE + "-calico-policy-webhook." + Chart.NAMESPACE + ".svc",
        tls.get("serverName"));
  }

  @Test
  void everyAlertHasARunbookSectionOfItsName() throws IOException {
    List<Map<String, Object>> rules =
        alertRules(
            Chart.withEtcd()
                .set("metrics.prometheusRule.enabled", true)
                .set("metrics.prometheusRule.runbookBaseUrl", "https://example.com/runbook.md")
                .render());
    Set<String> anchors = runbookAnchors();
    assertTrue(rules.size() >= 8, () -> "too few alerts: " + rules.size());
    for (Map<String, Object> rule : rules) {
      String alert = (String) rule.get("alert");
      @SuppressWarnings("unchecked")
      Map<String, String> annotations = (Map<String, String>) rule.get("annotations");
      String anchor = alert.toLowerCase(Locale.ROOT);
      assertEquals("https://example.com/runbook.md#" + anchor, annotations.get("runbook_url"));
      assertTrue(anchors.contains(anchor), () -> "docs/runbook.md has no section " + alert);
      assertTrue(annotations.containsKey("summary") && annotations.containsKey("description"));
      @SuppressWarnings("unchecked")
      Map<String, String> labels = (Map<String, String>) rule.get("labels");
      assertTrue(Set.of("warning", "critical").contains(labels.get("severity")), alert);
    }
  }

  @Test
  void theRunbooksLinksWithinItselfLeadToItsSections() throws IOException {
    Set<String> anchors = runbookAnchors();
    Matcher link = Pattern.compile("\\]\\(#([^)]+)\\)").matcher(Files.readString(RUNBOOK));
    int links = 0;
    while (link.find()) {
      links++;
      String anchor = link.group(1);
      assertTrue(anchors.contains(anchor), () -> "docs/runbook.md links to a missing #" + anchor);
    }
    assertTrue(links > 5, "the runbook's sections refer to each other");
  }

  @Test
  void alertThresholdsFollowTheWebhookTimeoutAndTheResyncPeriod() {
    Map<String, String> exprs =
        alertRules(
                Chart.withEtcd()
                    .set("metrics.prometheusRule.enabled", true)
                    .set("webhook.timeoutSeconds", 10)
                    .set("reconciler.resyncPeriod", "90m")
                    .render())
            .stream()
            .collect(
                Collectors.toMap(r -> (String) r.get("alert"), r -> String.valueOf(r.get("expr"))));
    assertTrue(exprs.get("CalicoWebhookSlow").endsWith(" > 5"), exprs.get("CalicoWebhookSlow"));
    assertTrue(
        exprs.get("CalicoResyncTooOld").contains(") > 16200 and"), exprs.get("CalicoResyncTooOld"));
    assertTrue(
        exprs.get("CalicoWebhookNoLeader").contains("namespace=\"" + Chart.NAMESPACE + "\""));
  }

  @Test
  void theDashboardConfigMapCarriesTheRepositorysDashboardAndTheSidecarLabel() throws IOException {
    Manifests manifests = Chart.withEtcd().set("metrics.dashboard.enabled", true).render();
    ConfigMap map = manifests.one(ConfigMap.class);
    assertEquals("1", map.getMetadata().getLabels().get("grafana_dashboard"));
    ObjectMapper json = new ObjectMapper();
    JsonNode shipped = json.readTree(map.getData().get("calico-policy-webhook.json"));
    assertEquals(json.readTree(Files.readString(DASHBOARD)), shipped);
    assertEquals("calico-policy-webhook", shipped.get("uid").asText());
  }

  @Test
  void logsJsonOnlyWhenAsked() {
    assertEquals(List.of(), logJson(Chart.withEtcd().render()));
    assertEquals(List.of("true"), logJson(Chart.withEtcd().set("logging.json", true).render()));
  }

  private static List<String> logJson(Manifests manifests) {
    return manifests
        .one(Deployment.class)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .getEnv()
        .stream()
        .filter(e -> e.getName().equals("LOG_JSON"))
        .map(e -> e.getValue())
        .toList();
  }

  /** The rules of the rendered PrometheusRule's groups. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> alertRules(Manifests manifests) {
    GenericKubernetesResource rule = manifests.custom("PrometheusRule").orElseThrow();
    Map<String, Object> spec = (Map<String, Object>) rule.getAdditionalProperties().get("spec");
    return ((List<Map<String, Object>>) spec.get("groups"))
        .stream()
            .flatMap(group -> ((List<Map<String, Object>>) group.get("rules")).stream())
            .toList();
  }

  /** GitHub's anchors of the runbook's headings: lower case, spaces to dashes, no punctuation. */
  static Set<String> runbookAnchors() throws IOException {
    Pattern heading = Pattern.compile("^#{1,6} +(.+)$");
    return Files.readAllLines(RUNBOOK).stream()
        .map(heading::matcher)
        .filter(Matcher::matches)
        .map(m -> m.group(1).strip().toLowerCase(Locale.ROOT))
        .map(t -> t.replaceAll("[^a-z0-9 _-]", "").replace(' ', '-'))
        .collect(Collectors.toSet());
  }

  private static Service metricsService(Manifests manifests) {
    return manifests.all(Service.class).stream()
        .filter(s -> s.getMetadata().getName().equals(METRICS_SERVICE))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no Service " + METRICS_SERVICE));
  }

  private static List<String> serviceNames(Manifests manifests) {
    return manifests.all(Service.class).stream().map(s -> s.getMetadata().getName()).toList();
  }
}
