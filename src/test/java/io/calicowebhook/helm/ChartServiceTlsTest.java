package io.calicowebhook.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * tls.mode=service: the service makes and renews its own certificates, so the chart renders nothing
 * random (two renders are the same objects), leaves caBundle out for the service to fill, makes the
 * Secret empty, and grants the service its Secret and the two webhook configurations by name only.
 */
class ChartServiceTlsTest {
  private static final String FULLNAME = Chart.RELEASE + "-calico-policy-webhook";
  private static final String SECRET = FULLNAME + "-certs";

  private static Chart serviceMode() {
    return Chart.withEtcd().set("tls.mode", "service");
  }

  @Test
  void rendersTheSameObjectsEveryTime() {
    assertEquals(serviceMode().render().objects(), serviceMode().render().objects());
    // what it replaces does not: helm mode makes a new CA on every render without a cluster
    assertNotEquals(
        Chart.withEtcd().inNamespace("fresh").render().objects(),
        Chart.withEtcd().inNamespace("fresh").render().objects());
  }

  @Test
  void leavesCaBundleOutOfEveryWebhookForTheServiceToFill() {
    Manifests manifests = serviceMode().render();
    List<WebhookClientConfig> configs =
        Stream.concat(
                manifests.one(ValidatingWebhookConfiguration.class).getWebhooks().stream()
                    .map(w -> w.getClientConfig()),
                manifests.one(MutatingWebhookConfiguration.class).getWebhooks().stream()
                    .map(w -> w.getClientConfig()))
            .toList();
    assertTrue(configs.size() >= 2);
    for (WebhookClientConfig config : configs) {
      assertNull(config.getCaBundle(), "no caBundle field: an apply leaves the service's alone");
      assertEquals(FULLNAME, config.getService().getName());
    }
    Map<String, String> annotations =
        manifests.one(ValidatingWebhookConfiguration.class).getMetadata().getAnnotations();
    assertTrue(
        annotations == null || !annotations.containsKey("cert-manager.io/inject-ca-from"),
        "no cert-manager injection");
  }

  @Test
  void makesTheSecretEmptyAndMountsIt() {
    Manifests manifests = serviceMode().render();
    Secret secret = manifests.one(Secret.class);

    assertEquals(SECRET, secret.getMetadata().getName());
    assertEquals(Chart.NAMESPACE, secret.getMetadata().getNamespace());
    assertEquals("Opaque", secret.getType());
    assertTrue(
        secret.getData() == null || secret.getData().isEmpty(),
        "the service fills it; an upgrade must not empty it");
    assertTrue(secret.getStringData() == null || secret.getStringData().isEmpty());
    Volume tls =
        manifests.one(Deployment.class).getSpec().getTemplate().getSpec().getVolumes().stream()
            .filter(v -> v.getName().equals("tls"))
            .findFirst()
            .orElseThrow();
    assertEquals(SECRET, tls.getSecret().getSecretName());
    assertTrue(
        tls.getSecret().getItems() == null || tls.getSecret().getItems().isEmpty(),
        "the whole Secret, no items: its keys are missing until the service fills it");
  }

  @Test
  void turnsTheServicesCertificatesOnWithItsNames() {
    Map<String, String> env = env(serviceMode().render());

    assertEquals("true", env.get("CALICO_CERTS_ENABLED"));
    assertEquals(SECRET, env.get("CALICO_CERTS_SECRET_NAME"));
    assertEquals(FULLNAME, env.get("CALICO_CERTS_SERVICE_NAME"));
    assertEquals(FULLNAME, env.get("CALICO_CERTS_VALIDATING_WEBHOOK"));
    assertEquals(FULLNAME, env.get("CALICO_CERTS_MUTATING_WEBHOOK"));
    assertEquals("365d", env.get("CALICO_CERTS_VALIDITY"));
    assertEquals("3650d", env.get("CALICO_CERTS_CA_VALIDITY"));
    assertEquals("10m", env.get("CALICO_CERTS_OVERLAP"));
    assertEquals("1m", env.get("CALICO_CERTS_CHECK_PERIOD"));
    assertTrue(!env.containsKey("CALICO_CERTS_RENEW_BEFORE"), "empty: the service's default");
    assertEquals("/etc/calico-policy-webhook/tls/tls.crt", env.get("WEBHOOK_TLS_CERT"));
    assertTrue(env.containsKey("POD_NAMESPACE"), "the Secret's namespace");
  }

  @Test
  void passesDurationsThroughAndRefusesOthers() {
    Map<String, String> env = env(serviceMode().set("tls.service.renewBefore", "720h").render());
    assertEquals("720h", env.get("CALICO_CERTS_RENEW_BEFORE"));

    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class,
            () -> serviceMode().set("tls.service.overlap", "ten minutes").render());
    assertTrue(refused.getMessage().contains("overlap"), refused.getMessage());
  }

  @Test
  void otherModesLeaveTheServicesCertificatesOff() {
    for (String mode : List.of("helm", "cert-manager")) {
      Manifests manifests = Chart.withEtcd().set("tls.mode", mode).render();
      assertTrue(
          env(manifests).keySet().stream().noneMatch(k -> k.startsWith("CALICO_CERTS_")), mode);
      assertTrue(
          manifests.all(Role.class).stream()
              .noneMatch(r -> r.getMetadata().getName().endsWith("-certs")),
          mode);
    }
  }

  @Test
  void grantsItsSecretAndTheTwoWebhookConfigurationsByNameOnly() {
    Manifests manifests = serviceMode().render();

    Role role = named(manifests.all(Role.class), FULLNAME + "-certs");
    assertEquals(Chart.NAMESPACE, role.getMetadata().getNamespace());
    assertEquals(Set.of("/secrets/get", "/secrets/update"), grants(role.getRules()));
    assertTrue(
        role.getRules().stream().allMatch(r -> r.getResourceNames().equals(List.of(SECRET))));
    ClusterRole cluster = named(manifests.all(ClusterRole.class), FULLNAME + "-certs");
    assertEquals(
        Set.of(
            "admissionregistration.k8s.io/validatingwebhookconfigurations/get",
            "admissionregistration.k8s.io/validatingwebhookconfigurations/update",
            "admissionregistration.k8s.io/mutatingwebhookconfigurations/get",
            "admissionregistration.k8s.io/mutatingwebhookconfigurations/update"),
        grants(cluster.getRules()));
    assertTrue(
        cluster.getRules().stream().allMatch(r -> r.getResourceNames().equals(List.of(FULLNAME))));

    // nothing anywhere grants secrets or webhook configurations without a name
    for (HasMetadata object : manifests.objects()) {
      List<PolicyRule> rules =
          object instanceof Role r
              ? r.getRules()
              : object instanceof ClusterRole c ? c.getRules() : List.of();
      for (PolicyRule rule : rules) {
        boolean sensitive =
            rule.getResources().stream()
                .anyMatch(r -> r.equals("secrets") || r.endsWith("webhookconfigurations"));
        assertTrue(!sensitive || !rule.getResourceNames().isEmpty(), rule::toString);
      }
    }
    String account =
        manifests.one(Deployment.class).getSpec().getTemplate().getSpec().getServiceAccountName();
    RoleBinding binding = named(manifests.all(RoleBinding.class), FULLNAME + "-certs");
    assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
    assertEquals(account, binding.getSubjects().get(0).getName());
    ClusterRoleBinding clusterBinding =
        named(manifests.all(ClusterRoleBinding.class), FULLNAME + "-certs");
    assertEquals(cluster.getMetadata().getName(), clusterBinding.getRoleRef().getName());
    assertEquals(account, clusterBinding.getSubjects().get(0).getName());
    assertEquals(Chart.NAMESPACE, clusterBinding.getSubjects().get(0).getNamespace());
  }

  private static <T extends HasMetadata> T named(List<T> objects, String name) {
    return objects.stream()
        .filter(o -> o.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name));
  }

  private static Set<String> grants(List<PolicyRule> rules) {
    Set<String> all = new HashSet<>();
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            all.add(group + "/" + resource + "/" + verb);
          }
        }
      }
    }
    return all;
  }

  private static Map<String, String> env(Manifests manifests) {
    return manifests
        .one(Deployment.class)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .getEnv()
        .stream()
        .collect(
            Collectors.toMap(
                EnvVar::getName, e -> e.getValue() == null ? "" : e.getValue(), (a, b) -> b));
  }
}
