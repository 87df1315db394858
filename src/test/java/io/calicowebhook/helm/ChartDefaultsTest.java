package io.calicowebhook.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.calicowebhook.pod.WorkloadKind;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ServiceReference;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The chart as an operator installs it: only etcd.endpoints set. */
class ChartDefaultsTest {
  private static Manifests manifests;

  @BeforeAll
  static void render() {
    manifests = Chart.withEtcd().render();
  }

  @Test
  void passesStrictLint() {
    LintResult lint = new Helm(Chart.DIR).lint().strict().call();
    assertFalse(lint.isFailed(), () -> String.join("\n", lint.getMessages()));
    assertTrue(
        lint.getMessages().stream()
            .noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]")),
        () -> String.join("\n", lint.getMessages()));
  }

  @Test
  void rendersExactlyTheObjectsOfAnInstallation() {
    assertEquals(
        List.of(
            "ClusterRole",
            "ClusterRoleBinding",
            "Deployment",
            "MutatingWebhookConfiguration",
            "PodDisruptionBudget",
            "Role",
            "RoleBinding",
            "Secret",
            "Service",
            "ServiceAccount",
            "ValidatingWebhookConfiguration"),
        manifests.kinds());
  }

  @Test
  void webhooksCallTheServiceOnItsOwnPaths() {
    Service service = manifests.one(Service.class);
    ServiceReference validate = validating().getClientConfig().getService();
    ServiceReference mutate = mutating().getClientConfig().getService();
    assertEquals("/validate", validate.getPath());
    assertEquals("/mutate", mutate.getPath());
    for (ServiceReference ref : List.of(validate, mutate)) {
      assertEquals(service.getMetadata().getName(), ref.getName());
      assertEquals(Chart.NAMESPACE, ref.getNamespace());
      assertEquals(Chart.NAMESPACE, service.getMetadata().getNamespace());
      ServicePort port = servicePort(service, "https");
      assertEquals(port.getPort(), ref.getPort());
      assertEquals(443, ref.getPort());
    }
  }

  @Test
  void serviceReachesTheContainersHttpsPortOfTheSelectedPods() {
    Service service = manifests.one(Service.class);
    Deployment deployment = manifests.one(Deployment.class);
    assertEquals(List.of("https", "management"), servicePortNames(service));
    ServicePort port = servicePort(service, "https");
    ContainerPort containerPort = containerPort("https");
    assertEquals(containerPort.getName(), port.getTargetPort().getStrVal());
    assertEquals(String.valueOf(containerPort.getContainerPort()), env("WEBHOOK_PORT").getValue());
    ServicePort management = servicePort(service, "management");
    ContainerPort managementPort = containerPort("management");
    assertEquals(managementPort.getName(), management.getTargetPort().getStrVal());
    assertEquals(9000, managementPort.getContainerPort());
    assertEquals(managementPort.getContainerPort(), management.getPort());
    assertEquals(
        String.valueOf(managementPort.getContainerPort()),
        env("WEBHOOK_MANAGEMENT_PORT").getValue());
    assertEquals(
        deployment.getSpec().getSelector().getMatchLabels(), service.getSpec().getSelector());
    assertTrue(
        deployment
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getLabels()
            .entrySet()
            .containsAll(service.getSpec().getSelector().entrySet()));
  }

  @Test
  void webhooksJudgePodsAndWorkloadTemplatesOnCreateAndUpdateInBothReviewVersions() {
    List<RuleWithOperations> rules = validating().getRules();
    assertEquals(rules, mutating().getRules());
    Set<String> registered = new TreeSet<>();
    for (RuleWithOperations rule : rules) {
      assertEquals(List.of("CREATE", "UPDATE"), rule.getOperations());
      assertEquals("Namespaced", rule.getScope());
      for (String group : rule.getApiGroups()) {
        for (String version : rule.getApiVersions()) {
          rule.getResources().forEach(r -> registered.add(group + "/" + version + "/" + r));
        }
      }
    }
    Set<String> judged =
        Arrays.stream(WorkloadKind.values())
            .map(k -> k.group() + "/" + k.version() + "/" + k.resource())
            .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(judged, registered, "exactly the kinds the service judges, no subresources");
    assertEquals(List.of("v1", "v1beta1"), validating().getAdmissionReviewVersions());
    assertEquals(List.of("v1", "v1beta1"), mutating().getAdmissionReviewVersions());
    assertEquals("Equivalent", validating().getMatchPolicy());
    assertEquals("Equivalent", mutating().getMatchPolicy());
    assertEquals(5, validating().getTimeoutSeconds());
    assertEquals(5, mutating().getTimeoutSeconds());
  }

  @Test
  void onlyTheValidatingWebhookHasSideEffectsAndNeverOnDryRun() {
    assertEquals("NoneOnDryRun", validating().getSideEffects());
    assertEquals("None", mutating().getSideEffects());
    assertEquals("IfNeeded", mutating().getReinvocationPolicy());
  }

  @Test
  void validationFailsClosedWhileMutationFailsOpen() {
    assertEquals("Fail", validating().getFailurePolicy());
    assertEquals("Ignore", mutating().getFailurePolicy());
  }

  @Test
  void webhooksSkipTheirOwnNamespaceTheClustersSystemNamespacesAndOptedOutOnes() {
    for (var selector :
        List.of(validating().getNamespaceSelector(), mutating().getNamespaceSelector())) {
      assertEquals(2, selector.getMatchExpressions().size());
      LabelSelectorRequirement excluded = selector.getMatchExpressions().get(0);
      assertEquals("kubernetes.io/metadata.name", excluded.getKey());
      assertEquals("NotIn", excluded.getOperator());
      assertTrue(
          excluded.getValues().containsAll(List.of(Chart.NAMESPACE, "kube-system")),
          excluded.getValues()::toString);
      LabelSelectorRequirement optedOut = selector.getMatchExpressions().get(1);
      assertEquals("calicowebhook.io/ignore", optedOut.getKey());
      assertEquals("NotIn", optedOut.getOperator());
      assertEquals(List.of("true"), optedOut.getValues());
      assertTrue(selector.getMatchLabels().isEmpty());
    }
  }

  @Test
  void grantsOnlyReadingPodsAndRecordingEvents() {
    ClusterRole role = manifests.one(ClusterRole.class);
    assertEquals(
        Set.of(
            "/pods/get",
            "/pods/list",
            "/pods/watch",
            "/events/create",
            "/events/get",
            "/events/patch"),
        grants(role.getRules()));
    assertTrue(role.getRules().stream().allMatch(r -> r.getResourceNames().isEmpty()));
    assertTrue(role.getRules().stream().allMatch(r -> r.getNonResourceURLs().isEmpty()));
  }

  @Test
  void grantsTheLeaseOnlyInTheReleaseNamespaceAndOnlyItsOwnName() {
    Role role = manifests.one(Role.class);
    assertEquals(Chart.NAMESPACE, role.getMetadata().getNamespace());
    String lease = envValue("CALICO_RECONCILER_LEASE_NAME");
    assertEquals(Chart.RELEASE + "-calico-policy-webhook", lease);
    PolicyRule create = role.getRules().get(0);
    PolicyRule renew = role.getRules().get(1);
    assertEquals(Set.of("coordination.k8s.io/leases/create"), grants(List.of(create)));
    assertTrue(create.getResourceNames().isEmpty(), "create cannot be limited to a name");
    assertEquals(
        Set.of(
            "coordination.k8s.io/leases/get",
            "coordination.k8s.io/leases/update",
            "coordination.k8s.io/leases/patch"),
        grants(List.of(renew)));
    assertEquals(List.of(lease), renew.getResourceNames());
    assertEquals(2, role.getRules().size());

    RoleBinding binding = manifests.one(RoleBinding.class);
    assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
    assertEquals("Role", binding.getRoleRef().getKind());
    assertEquals(
        manifests.one(ServiceAccount.class).getMetadata().getName(),
        binding.getSubjects().get(0).getName());
  }

  @Test
  void tellsEachReplicaItsNameAndNamespaceFromTheDownwardApi() {
    Map<String, String> fields =
        container().getEnv().stream()
            .filter(env -> env.getValueFrom() != null && env.getValueFrom().getFieldRef() != null)
            .collect(
                Collectors.toMap(
                    EnvVar::getName, env -> env.getValueFrom().getFieldRef().getFieldPath()));
    assertEquals(
        Map.of("POD_NAME", "metadata.name", "POD_NAMESPACE", "metadata.namespace"), fields);
    assertEquals("5m", envValue("CALICO_RECONCILER_RESYNC_PERIOD"));
    assertEquals("2m", envValue("CALICO_RECONCILER_READY_WAIT"));
  }

  private static String envValue(String name) {
    return container().getEnv().stream()
        .filter(env -> env.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name))
        .getValue();
  }

  private static Set<String> grants(List<PolicyRule> rules) {
    return rules.stream()
        .flatMap(ChartDefaultsTest::grants)
        .collect(Collectors.toCollection(java.util.TreeSet::new));
  }

  @Test
  void bindsTheRoleToTheServiceAccountThePodsRunAs() {
    ClusterRoleBinding binding = manifests.one(ClusterRoleBinding.class);
    ServiceAccount account = manifests.one(ServiceAccount.class);
    assertEquals(
        manifests.one(ClusterRole.class).getMetadata().getName(), binding.getRoleRef().getName());
    assertEquals("ClusterRole", binding.getRoleRef().getKind());
    assertEquals(1, binding.getSubjects().size());
    assertEquals(account.getMetadata().getName(), binding.getSubjects().get(0).getName());
    assertEquals(Chart.NAMESPACE, binding.getSubjects().get(0).getNamespace());
    assertEquals(account.getMetadata().getName(), podSpec().getServiceAccountName());
  }

  @Test
  void probesUseHttpsOnTheHealthPathsOfTheManagementPort() {
    Container container = container();
    String port = containerPort("management").getName();
    HTTPGetAction live = container.getLivenessProbe().getHttpGet();
    HTTPGetAction ready = container.getReadinessProbe().getHttpGet();
    HTTPGetAction started = container.getStartupProbe().getHttpGet();
    assertEquals("/q/health/live", live.getPath());
    assertEquals("/q/health/ready", ready.getPath());
    assertEquals("/q/health/live", started.getPath());
    for (HTTPGetAction probe : List.of(live, ready, started)) {
      assertEquals("HTTPS", probe.getScheme());
      assertEquals(port, probe.getPort().getStrVal());
    }
  }

  @Test
  void runsAsNonRootOnAReadOnlyFilesystemWithoutCapabilities() {
    PodSpec pod = podSpec();
    var container = container().getSecurityContext();
    assertFalse(pod.getHostNetwork());
    assertTrue(pod.getSecurityContext().getRunAsNonRoot());
    assertTrue(pod.getSecurityContext().getRunAsUser() > 0);
    assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
    assertTrue(container.getReadOnlyRootFilesystem());
    assertFalse(container.getAllowPrivilegeEscalation());
    assertEquals(List.of("ALL"), container.getCapabilities().getDrop());
    assertTrue(container.getCapabilities().getAdd().isEmpty());
    assertNull(container.getPrivileged());
  }

  @Test
  void mountsTheServingCertificateReadOnlyWhereTheEnvironmentPointsTo() {
    var mount =
        container().getVolumeMounts().stream()
            .filter(m -> m.getName().equals("tls"))
            .findFirst()
            .orElseThrow();
    assertTrue(mount.getReadOnly());
    assertNull(mount.getSubPath(), "a subPath mount never sees a renewed certificate");
    assertEquals(mount.getMountPath() + "/tls.crt", env("WEBHOOK_TLS_CERT").getValue());
    assertEquals(mount.getMountPath() + "/tls.key", env("WEBHOOK_TLS_KEY").getValue());
    String secret =
        podSpec().getVolumes().stream()
            .filter(v -> v.getName().equals("tls"))
            .findFirst()
            .orElseThrow()
            .getSecret()
            .getSecretName();
    assertEquals(
        manifests.one(io.fabric8.kubernetes.api.model.Secret.class).getMetadata().getName(),
        secret);
  }

  @Test
  void staysAvailableThroughRolloutsAndDrains() {
    Deployment deployment = manifests.one(Deployment.class);
    assertEquals(2, deployment.getSpec().getReplicas());
    assertEquals(
        0, deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal());
    PodDisruptionBudget budget = manifests.one(PodDisruptionBudget.class);
    assertEquals(1, budget.getSpec().getMaxUnavailable().getIntVal());
    assertEquals(
        deployment.getSpec().getSelector().getMatchLabels(),
        budget.getSpec().getSelector().getMatchLabels());
    var antiAffinity = podSpec().getAffinity().getPodAntiAffinity();
    assertEquals(1, antiAffinity.getPreferredDuringSchedulingIgnoredDuringExecution().size());
    assertTrue(antiAffinity.getRequiredDuringSchedulingIgnoredDuringExecution().isEmpty());
    assertNull(podSpec().getPriorityClassName(), "no priority class unless asked for");
    assertTrue(podSpec().getTerminationGracePeriodSeconds() >= 30);
  }

  private static java.util.stream.Stream<String> grants(PolicyRule rule) {
    return rule.getApiGroups().stream()
        .flatMap(
            group ->
                rule.getResources().stream()
                    .flatMap(
                        resource ->
                            rule.getVerbs().stream()
                                .map(verb -> group + "/" + resource + "/" + verb)));
  }

  private static ServicePort servicePort(Service service, String name) {
    return service.getSpec().getPorts().stream()
        .filter(p -> p.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no Service port " + name));
  }

  private static List<String> servicePortNames(Service service) {
    return service.getSpec().getPorts().stream().map(ServicePort::getName).toList();
  }

  private static ContainerPort containerPort(String name) {
    return container().getPorts().stream()
        .filter(p -> p.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no container port " + name));
  }

  private static ValidatingWebhook validating() {
    List<ValidatingWebhook> hooks =
        manifests.one(ValidatingWebhookConfiguration.class).getWebhooks();
    assertEquals(1, hooks.size());
    return hooks.get(0);
  }

  private static MutatingWebhook mutating() {
    List<MutatingWebhook> hooks = manifests.one(MutatingWebhookConfiguration.class).getWebhooks();
    assertEquals(1, hooks.size());
    return hooks.get(0);
  }

  private static PodSpec podSpec() {
    return manifests.one(Deployment.class).getSpec().getTemplate().getSpec();
  }

  private static Container container() {
    List<Container> containers = podSpec().getContainers();
    assertEquals(1, containers.size());
    return containers.get(0);
  }

  private static EnvVar env(String name) {
    return container().getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no env " + name));
  }
}
