package io.calicowebhook.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What differs between the clusters the chart runs on: host networking where the API server cannot
 * reach pod IPs (EKS with the Calico CNI), the priority class and the quota some platforms demand
 * for it, metadata of the webhook configurations, the exclusions no selector can drop, the
 * management port's own ingress rule, and the order Helm applies the objects in.
 */
class ChartPlatformTest {

  // --- hostNetwork ------------------------------------------------------------------------------

  @Test
  void staysOnThePodNetworkByDefault() {
    PodSpec pod = podSpec(Chart.withEtcd().render());
    assertFalse(pod.getHostNetwork());
    assertNull(pod.getDnsPolicy(), "the cluster default, ClusterFirst");
  }

  @Test
  void hostNetworkResolvesClusterNamesAndServesOnTheChosenNodePorts() {
    Manifests manifests =
        Chart.withEtcd()
            .set("hostNetwork", "true")
            .set("config.port", "10250")
            .set("config.managementPort", "10251")
            .render();
    PodSpec pod = podSpec(manifests);
    assertTrue(pod.getHostNetwork());
    assertEquals("ClusterFirstWithHostNet", pod.getDnsPolicy());
    var container = pod.getContainers().get(0);
    assertEquals(
        List.of(10250, 10251),
        container.getPorts().stream().map(ContainerPort::getContainerPort).toList());
    assertTrue(
        container.getPorts().stream().allMatch(p -> p.getHostPort() == null),
        "with hostNetwork the container ports are the node's; hostPort adds nothing");
    Map<String, String> env =
        Map.of(
            "WEBHOOK_PORT", "10250",
            "WEBHOOK_MANAGEMENT_PORT", "10251");
    env.forEach(
        (name, value) ->
            assertEquals(
                value,
                container.getEnv().stream()
                    .filter(e -> e.getName().equals(name))
                    .findFirst()
                    .orElseThrow()
                    .getValue()));
    var probe = container.getReadinessProbe().getHttpGet();
    assertEquals("management", probe.getPort().getStrVal());
  }

  // --- priority class ---------------------------------------------------------------------------

  static Stream<Arguments> priorityClasses() {
    return Stream.of(
        Arguments.of("", "webhooks", false),
        Arguments.of("system-cluster-critical", "webhooks", true),
        Arguments.of("system-node-critical", "webhooks", true),
        Arguments.of("system-cluster-critical", "kube-system", false),
        Arguments.of("webhook-critical", "webhooks", false));
  }

  @ParameterizedTest(name = "priorityClassName \"{0}\" in {1}")
  @MethodSource("priorityClasses")
  void rendersTheQuotaASystemPriorityClassNeedsOutsideKubeSystem(
      String priorityClass, String namespace, boolean quota) {
    Manifests manifests =
        Chart.withEtcd()
            .inNamespace(namespace)
            .set("priorityClassName", priorityClass)
            .set("replicaCount", "3")
            .render();
    PodSpec pod = podSpec(manifests);
    assertEquals(priorityClass.isEmpty() ? null : priorityClass, pod.getPriorityClassName());
    List<ResourceQuota> quotas = manifests.all(ResourceQuota.class);
    assertEquals(quota ? 1 : 0, quotas.size(), manifests.kinds()::toString);
    if (quota) {
      ResourceQuota q = quotas.get(0);
      assertEquals(namespace, q.getMetadata().getNamespace());
      var scope = q.getSpec().getScopeSelector().getMatchExpressions().get(0);
      assertEquals("PriorityClass", scope.getScopeName());
      assertEquals("In", scope.getOperator());
      assertEquals(List.of(priorityClass), scope.getValues());
      assertEquals(
          "4", q.getSpec().getHard().get("pods").toString(), "three replicas and the surge pod");
    }
  }

  // --- webhook configurations' metadata ---------------------------------------------------------

  @Test
  void webhookConfigurationsCarryTheGivenAnnotationsAndLabels() {
    Manifests manifests =
        Chart.withEtcd()
            .set("tls.mode", "cert-manager")
            .withValues(
                """
                webhook:
                  annotations:
                    argocd.argoproj.io/sync-wave: "5"
                  labels:
                    team: platform
                """)
            .render();
    for (HasMetadata config : webhookConfigurations(manifests)) {
      Map<String, String> annotations = config.getMetadata().getAnnotations();
      assertEquals("5", annotations.get("argocd.argoproj.io/sync-wave"));
      assertEquals(
          Chart.NAMESPACE + "/cpw-calico-policy-webhook-ca",
          annotations.get("cert-manager.io/inject-ca-from"),
          "the chart's own annotation stays");
      Map<String, String> labels = config.getMetadata().getLabels();
      assertEquals("platform", labels.get("team"));
      assertEquals("cpw", labels.get("app.kubernetes.io/instance"));
    }
  }

  @Test
  void webhookConfigurationsHaveNoAnnotationsUnlessGiven() {
    for (HasMetadata config : webhookConfigurations(Chart.withEtcd().render())) {
      assertTrue(config.getMetadata().getAnnotations().isEmpty(), config.getMetadata()::toString);
    }
  }

  // --- exclusions -------------------------------------------------------------------------------

  @Test
  void aCustomNamespaceSelectorKeepsEveryExclusion() {
    Manifests manifests =
        Chart.withEtcd()
            .inNamespace("calico-webhook")
            .withValues(
                """
                webhook:
                  excludeNamespaces: [monitoring]
                  namespaceSelector:
                    matchLabels:
                      calico-policy: enforced
                    matchExpressions:
                      - {key: environment, operator: In, values: [production, staging]}
                """)
            .render();
    for (LabelSelector selector : namespaceSelectors(manifests)) {
      assertEquals(Map.of("calico-policy", "enforced"), selector.getMatchLabels());
      List<LabelSelectorRequirement> expressions = selector.getMatchExpressions();
      assertEquals(3, expressions.size(), expressions::toString);
      assertEquals("environment", expressions.get(0).getKey());
      assertEquals(List.of("production", "staging"), expressions.get(0).getValues());
      assertEquals("kubernetes.io/metadata.name", expressions.get(1).getKey());
      assertEquals("NotIn", expressions.get(1).getOperator());
      assertEquals(List.of("calico-webhook", "monitoring"), expressions.get(1).getValues());
      assertEquals("calicowebhook.io/ignore", expressions.get(2).getKey());
      assertEquals("NotIn", expressions.get(2).getOperator());
      assertEquals(List.of("true"), expressions.get(2).getValues());
    }
  }

  @Test
  void anEmptyExcludeListStillExcludesTheReleaseNamespace() {
    Manifests manifests =
        Chart.withEtcd().withValues("webhook:\n  excludeNamespaces: []\n").render();
    for (LabelSelector selector : namespaceSelectors(manifests)) {
      assertEquals(List.of(Chart.NAMESPACE), selector.getMatchExpressions().get(0).getValues());
    }
  }

  @Test
  void refusesANamespaceSelectorThatIsNotALabelSelector() {
    Chart chart =
        Chart.withEtcd().withValues("webhook:\n  namespaceSelector:\n    matchLabel: {a: b}\n");
    IllegalStateException failure =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalStateException.class, chart::renderText);
    assertTrue(failure.getMessage().contains("matchLabel"), failure::getMessage);
  }

  // --- management port in the NetworkPolicy ------------------------------------------------------

  @Test
  void admitsScrapersOnlyOnTheManagementPortAndOnlyWhenListed() {
    String enabled =
        """
        networkPolicy:
          enabled: true
          from: [{ipBlock: {cidr: 10.0.0.0/24}}]
        """;
    List<NetworkPolicyIngressRule> without =
        Chart.withEtcd()
            .withValues(enabled)
            .render()
            .one(NetworkPolicy.class)
            .getSpec()
            .getIngress();
    assertEquals(1, without.size(), "the kubelet's probes need no rule");

    List<NetworkPolicyIngressRule> with =
        Chart.withEtcd()
            .set("config.managementPort", "9100")
            .withValues(
                enabled
                    + """
                      management:
                        from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}]
                    """)
            .render()
            .one(NetworkPolicy.class)
            .getSpec()
            .getIngress();
    assertEquals(2, with.size());
    assertEquals(8443, with.get(0).getPorts().get(0).getPort().getIntVal());
    assertEquals("10.0.0.0/24", with.get(0).getFrom().get(0).getIpBlock().getCidr());
    assertEquals(9100, with.get(1).getPorts().get(0).getPort().getIntVal());
    assertEquals(
        Map.of("kubernetes.io/metadata.name", "monitoring"),
        with.get(1).getFrom().get(0).getNamespaceSelector().getMatchLabels());
  }

  // --- order ------------------------------------------------------------------------------------

  /**
   * Helm applies objects in the order its template command prints them (install order by kind): the
   * webhook configurations last, after the Service and the Deployment they call, and after
   * cert-manager's objects, so that the API server never calls a webhook before its Service exists.
   */
  @Test
  void installsTheWebhookConfigurationsLast() {
    for (String mode : List.of("helm", "cert-manager")) {
      List<String> kinds =
          Chart.withEtcd().set("tls.mode", mode).render().objects().stream()
              .map(HasMetadata::getKind)
              .toList();
      int validating = kinds.indexOf("ValidatingWebhookConfiguration");
      int mutating = kinds.indexOf("MutatingWebhookConfiguration");
      assertEquals(kinds.size() - 2, Math.min(validating, mutating), kinds::toString);
      assertTrue(kinds.indexOf("Service") < mutating, kinds::toString);
      assertTrue(kinds.indexOf("Deployment") < mutating, kinds::toString);
    }
  }

  private static List<HasMetadata> webhookConfigurations(Manifests manifests) {
    return List.of(
        manifests.one(ValidatingWebhookConfiguration.class),
        manifests.one(MutatingWebhookConfiguration.class));
  }

  private static List<LabelSelector> namespaceSelectors(Manifests manifests) {
    return List.of(
        manifests
            .one(ValidatingWebhookConfiguration.class)
            .getWebhooks()
            .get(0)
            .getNamespaceSelector(),
        manifests
            .one(MutatingWebhookConfiguration.class)
            .getWebhooks()
            .get(0)
            .getNamespaceSelector());
  }

  private static PodSpec podSpec(Manifests manifests) {
    return manifests.one(Deployment.class).getSpec().getTemplate().getSpec();
  }
}
