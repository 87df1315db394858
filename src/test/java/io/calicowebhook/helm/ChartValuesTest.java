package io.calicowebhook.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Values an operator sets: what they change, and the message a bad one gets. */
class ChartValuesTest {
  private static final Path APPLICATION_PROPERTIES =
      Path.of("src", "main", "resources", "application.properties");

  /** What the service reads: ${NAME} or ${NAME:default}. */
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]");

  /**
   * What the service documents: its own variable names anywhere, comments included, and the two
   * downward-API variables it reads.
   */
  private static final Pattern NAME =
      Pattern.compile("\\b((?:WEBHOOK|CALICO|ETCD)_[A-Z0-9_]+|POD_NAME|POD_NAMESPACE)\\b");

  /** Variables the chart deliberately leaves at the service's default. */
  private static final String CONFIG_CHECKSUM = "checksum/config";

  private static final Set<String> LEFT_AT_SERVICE_DEFAULT = Set.of("WEBHOOK_TLS_RELOAD_PERIOD");

  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of(Map.of(), "etcd.endpoints is required"),
        Arguments.of(
            Map.of("etcd.endpoints", "etcd-0:2379"), "\"etcd-0:2379\" is not an etcd client URL"),
        Arguments.of(
            Map.of("etcd.endpoints", Chart.ETCD, "tls.mode", "secret"),
            "tls.secretName is required with tls.mode=secret"),
        Arguments.of(
            Map.of("etcd.endpoints", Chart.ETCD, "tls.mode", "secret", "tls.secretName", "s"),
            "tls.caBundle is required with tls.mode=secret"),
        Arguments.of(
            Map.of(
                "etcd.endpoints", Chart.ETCD,
                "tls.mode", "secret",
                "tls.secretName", "s",
                "tls.caBundle", "bm90IGEgY2VydGlmaWNhdGU="),
            "tls.caBundle must be the base64 encoding of a PEM CA certificate"),
        Arguments.of(
            Map.of("etcd.endpoints", Chart.ETCD, "clientAuth.enabled", "true"),
            "clientAuth.caSecretName is required with clientAuth.enabled=true"),
        Arguments.of(
            Map.of("etcd.endpoints", Chart.ETCD, "clientAuth.names", "kube-apiserver"),
            "clientAuth.names needs clientAuth.enabled=true and clientAuth.caSecretName"),
        Arguments.of(
            Map.of(
                "etcd.endpoints", Chart.ETCD,
                "clientAuth.enabled", "true",
                "clientAuth.caSecretName", "ca",
                "clientAuth.names", "*.example.com"),
            "clientAuth/names"),
        Arguments.of(
            Map.of(
                "etcd.endpoints",
                Chart.ETCD,
                "etcd.tls.secretName",
                "etcd-client",
                "etcd.tls.keyKey",
                ""),
            "etcd.tls.certKey and etcd.tls.keyKey go together"),
        Arguments.of(Map.of("etcd.endpoints", Chart.ETCD, "tls.mode", "self-signed"), "tls/mode"),
        Arguments.of(
            Map.of("etcd.endpoints", Chart.ETCD, "webhook.validating.failurePolicy", "Sometimes"),
            "failurePolicy"),
        Arguments.of(
            Map.of("etcd.endpoints", Chart.ETCD, "etcd.auth.password", "hunter2"), "password"),
        Arguments.of(
            Map.of("etcd.endpoints", Chart.ETCD, "config.defaultPolicy", "deny"), "defaultPolicy"));
  }

  @ParameterizedTest
  @MethodSource("badValues")
  void refusesBadValuesWithAMessageThatNamesThem(Map<String, String> values, String message) {
    Chart chart = Chart.bare();
    values.forEach(chart::set);
    IllegalStateException failure = assertThrows(IllegalStateException.class, chart::renderText);
    assertTrue(failure.getMessage().contains(message), failure::getMessage);
  }

  @Test
  void setsOnlyVariablesTheServiceDocuments() throws IOException {
    Set<String> unknown = new TreeSet<>(envNames(fullyConfigured()));
    unknown.removeAll(serviceVariables(NAME, true));
    assertEquals(Set.of(), unknown, "variables the chart sets but the service does not document");
  }

  @Test
  void setsEveryVariableTheServiceReads() throws IOException {
    Set<String> read = serviceVariables(PLACEHOLDER, false);
    Set<String> missing = new TreeSet<>(read);
    missing.removeAll(envNames(fullyConfigured()));
    missing.removeAll(LEFT_AT_SERVICE_DEFAULT);
    assertEquals(Set.of(), missing, "variables the service reads but the chart never sets");
    assertTrue(read.contains("WEBHOOK_TLS_CERT"), read::toString);
  }

  @Test
  void readsTheEtcdPasswordOnlyFromASecret() {
    List<EnvVar> env = container(fullyConfigured()).getEnv();
    EnvVar password =
        env.stream().filter(e -> e.getName().equals("ETCD_PASSWORD")).findFirst().orElseThrow();
    assertNull(password.getValue());
    assertEquals("etcd-auth", password.getValueFrom().getSecretKeyRef().getName());
    assertEquals("password", password.getValueFrom().getSecretKeyRef().getKey());
    assertTrue(
        env.stream()
            .filter(e -> e.getName().contains("PASSWORD"))
            .allMatch(e -> e.getValue() == null));
  }

  @Test
  void pointsEtcdAndClientCaFilesIntoTheirMountedSecrets() {
    Manifests manifests = fullyConfigured();
    Container container = container(manifests);
    Map<String, String> env =
        container.getEnv().stream()
            .filter(e -> e.getValue() != null)
            .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    Map<String, String> mounts =
        container.getVolumeMounts().stream()
            .collect(Collectors.toMap(m -> m.getName(), m -> m.getMountPath()));
    Map<String, String> secrets =
        manifests.one(Deployment.class).getSpec().getTemplate().getSpec().getVolumes().stream()
            .filter(v -> v.getSecret() != null)
            .collect(Collectors.toMap(v -> v.getName(), v -> v.getSecret().getSecretName()));
    assertEquals("etcd-client", secrets.get("etcd-tls"));
    assertEquals(mounts.get("etcd-tls") + "/ca.crt", env.get("ETCD_CA_FILE"));
    assertEquals(mounts.get("etcd-tls") + "/tls.crt", env.get("ETCD_CERT_FILE"));
    assertEquals(mounts.get("etcd-tls") + "/tls.key", env.get("ETCD_KEY_FILE"));
    assertEquals("apiserver-client-ca", secrets.get("client-ca"));
    assertEquals(mounts.get("client-ca") + "/ca.crt", env.get("WEBHOOK_CLIENT_CA"));
    assertTrue(
        container.getVolumeMounts().stream()
            .filter(m -> !m.getName().equals("tmp"))
            .allMatch(m -> m.getReadOnly()));
  }

  @ParameterizedTest
  @MethodSource("clientNameSpellings")
  void passesClientNamesAsOneCommaSeparatedList(String valuesYaml) {
    Manifests manifests =
        Chart.withEtcd()
            .set("clientAuth.enabled", "true")
            .set("clientAuth.caSecretName", "apiserver-client-ca")
            .withValues(valuesYaml)
            .render();
    assertEquals(
        "kube-apiserver,apiserver-webhook-client",
        container(manifests).getEnv().stream()
            .filter(e -> e.getName().equals("WEBHOOK_CLIENT_NAMES"))
            .findFirst()
            .orElseThrow()
            .getValue());
  }

  static Stream<String> clientNameSpellings() {
    return Stream.of(
        "clientAuth:\n  names: \" kube-apiserver , apiserver-webhook-client\"\n",
        "clientAuth:\n  names: [kube-apiserver, apiserver-webhook-client]\n");
  }

  @Test
  void setsNoClientNamesByDefault() {
    Manifests manifests =
        Chart.withEtcd()
            .set("clientAuth.enabled", "true")
            .set("clientAuth.caSecretName", "apiserver-client-ca")
            .render();
    assertTrue(
        container(manifests).getEnv().stream()
            .noneMatch(e -> e.getName().equals("WEBHOOK_CLIENT_NAMES")));
  }

  @ParameterizedTest
  @MethodSource("endpointSpellings")
  void passesEtcdEndpointsAsOneCommaSeparatedList(String valuesYaml) {
    Manifests manifests = Chart.bare().withValues(valuesYaml).render();
    assertEquals(
        "https://etcd-0:2379,https://etcd-1:2379",
        container(manifests).getEnv().stream()
            .filter(e -> e.getName().equals("ETCD_ENDPOINTS"))
            .findFirst()
            .orElseThrow()
            .getValue());
  }

  static Stream<String> endpointSpellings() {
    return Stream.of(
        "etcd:\n  endpoints: \"https://etcd-0:2379 , https://etcd-1:2379\"\n",
        "etcd:\n  endpoints: [https://etcd-0:2379, https://etcd-1:2379]\n");
  }

  @Test
  void failurePoliciesAndSelectorsCanBeOverridden() {
    Manifests manifests =
        Chart.withEtcd()
            .set("webhook.validating.failurePolicy", "Ignore")
            .set("webhook.mutating.failurePolicy", "Fail")
            .set("webhook.timeoutSeconds", "3")
            .set("webhook.namespaceSelector.matchLabels.calico-policy", "enforced")
            .set("webhook.objectSelector.matchLabels.team", "net")
            .render();
    var validating = manifests.one(ValidatingWebhookConfiguration.class).getWebhooks().get(0);
    var mutating = manifests.one(MutatingWebhookConfiguration.class).getWebhooks().get(0);
    assertEquals("Ignore", validating.getFailurePolicy());
    assertEquals("Fail", mutating.getFailurePolicy());
    assertEquals(3, validating.getTimeoutSeconds());
    assertEquals(
        Map.of("calico-policy", "enforced"), validating.getNamespaceSelector().getMatchLabels());
    assertTrue(validating.getNamespaceSelector().getMatchExpressions().isEmpty());
    assertEquals(Map.of("team", "net"), mutating.getObjectSelector().getMatchLabels());
  }

  @Test
  void alwaysExcludesTheReleaseNamespaceEvenWhenTheListIsReplaced() {
    Manifests manifests =
        Chart.withEtcd()
            .inNamespace("calico-webhook")
            .withValues("webhook:\n  excludeNamespaces: [monitoring]\n")
            .render();
    var expression =
        manifests
            .one(ValidatingWebhookConfiguration.class)
            .getWebhooks()
            .get(0)
            .getNamespaceSelector()
            .getMatchExpressions()
            .get(0);
    assertEquals(List.of("calico-webhook", "monitoring"), expression.getValues());
  }

  @Test
  void configChecksumRollsThePodsWhenTheServiceSettingsChange() {
    String before = Chart.withEtcd().render().podAnnotation(CONFIG_CHECKSUM);
    assertEquals(before, Chart.withEtcd().render().podAnnotation(CONFIG_CHECKSUM));
    assertNotEquals(
        before,
        Chart.withEtcd()
            .set("config.defaultPolicy", "allow")
            .render()
            .podAnnotation(CONFIG_CHECKSUM));
    assertNotEquals(
        before,
        Chart.bare()
            .set("etcd.endpoints", "https://etcd-9:2379")
            .render()
            .podAnnotation(CONFIG_CHECKSUM));
  }

  private static Manifests fullyConfigured() {
    return Chart.withEtcd()
        .set("etcd.tls.secretName", "etcd-client")
        .set("etcd.auth.secretName", "etcd-auth")
        .set("clientAuth.enabled", "true")
        .set("clientAuth.caSecretName", "apiserver-client-ca")
        .set("clientAuth.names", "kube-apiserver")
        .set("tls.mode", "service") // the mode that sets CALICO_CERTS_*
        .set("tls.service.renewBefore", "100d")
        .set("tls.service.caRenewBefore", "1000d")
        .render();
  }

  /** Names of the service's variables in application.properties, outside dev/test profiles. */
  private static Set<String> serviceVariables(Pattern pattern, boolean withComments)
      throws IOException {
    Set<String> names = new TreeSet<>();
    for (String line : Files.readAllLines(APPLICATION_PROPERTIES)) {
      if (line.startsWith("%") || (line.startsWith("#") && !withComments)) {
        continue;
      }
      Matcher m = pattern.matcher(line);
      while (m.find()) {
        if (NAME.matcher(m.group(1)).matches()) {
          names.add(m.group(1));
        }
      }
    }
    return names;
  }

  private static Set<String> envNames(Manifests manifests) {
    return container(manifests).getEnv().stream().map(EnvVar::getName).collect(Collectors.toSet());
  }

  private static Container container(Manifests manifests) {
    return manifests.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
  }
}
