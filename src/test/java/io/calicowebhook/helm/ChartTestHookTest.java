package io.calicowebhook.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * tests.*: the {@code helm test} hook, what it may do, and its script run against a stand-in
 * kubectl that answers as the installed webhook would (and as a cluster without it would).
 */
class ChartTestHookTest {
  private static final Path BROKEN_POD = Path.of("e2e/manifests/pod-broken.yaml");
  private static final Path BROKEN_MESSAGE = Path.of("e2e/expected/pod-broken.txt");
  private static final String DENIED =
      "admission webhook \"validate.calicowebhook.io\" denied the request: ";

  @TempDir Path dir;

  @Test
  void anInstallationCreatesNoTestObjectAndTestsCanBeTurnedOff() {
    assertEquals(
        List.of("Pod", "Role", "RoleBinding", "ServiceAccount"),
        Chart.withEtcd().renderTestHooks().kinds());
    assertTrue(Chart.withEtcd().set("tests.enabled", false).renderTestHooks().objects().isEmpty());
  }

  @Test
  void theTestMayOnlyCreatePodsAndOnlyInTheTestNamespace() {
    Manifests hooks = Chart.withEtcd().set("tests.namespace", "shop").renderTestHooks();
    Role role = hooks.one(Role.class);
    assertEquals("shop", role.getMetadata().getNamespace());
    assertEquals(1, role.getRules().size());
    PolicyRule rule = role.getRules().get(0);
    assertEquals(List.of(""), rule.getApiGroups());
    assertEquals(List.of("pods"), rule.getResources());
    assertEquals(List.of("create"), rule.getVerbs());
    RoleBinding binding = hooks.one(RoleBinding.class);
    assertEquals("shop", binding.getMetadata().getNamespace());
    assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
    ServiceAccount account = hooks.one(ServiceAccount.class);
    assertEquals(Chart.NAMESPACE, account.getMetadata().getNamespace());
    assertEquals(account.getMetadata().getName(), binding.getSubjects().get(0).getName());
    assertEquals(Chart.NAMESPACE, binding.getSubjects().get(0).getNamespace());
    Pod pod = hooks.one(Pod.class);
    assertEquals(account.getMetadata().getName(), pod.getSpec().getServiceAccountName());
    assertEquals("Never", pod.getSpec().getRestartPolicy());
    assertEquals("shop", env(container(pod), "TEST_NAMESPACE"));
    for (var object : hooks.objects()) {
      assertEquals("test", object.getMetadata().getAnnotations().get("helm.sh/hook"));
    }
    assertNotEquals(
        Chart.NAMESPACE,
        Chart.withEtcd().renderTestHooks().one(Role.class).getMetadata().getNamespace(),
        "the webhook never judges the release namespace");
  }

  @Test
  void theTestPodIsNeverSelectedAsAWebhookPod() {
    Pod pod = Chart.withEtcd().renderTestHooks().one(Pod.class);
    java.util.Map<String, String> selector =
        Chart.withEtcd()
            .render()
            .one(io.fabric8.kubernetes.api.model.apps.Deployment.class)
            .getSpec()
            .getSelector()
            .getMatchLabels();
    java.util.Map<String, String> labels = pod.getMetadata().getLabels();
    assertFalse(
        labels.entrySet().containsAll(selector.entrySet()),
        "the Service selects the webhook's pods by " + selector + ", the test pod has " + labels);
  }

  @Test
  void refusesToTestInTheReleaseNamespaceWhichTheWebhookNeverJudges() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> Chart.withEtcd().set("tests.namespace", Chart.NAMESPACE).renderTestHooks());
    assertTrue(e.getMessage().contains("tests.namespace"), e.getMessage());
  }

  @Test
  void theImageIsPinnedByDigestWhenOneIsGiven() {
    String digest = "sha256:" + "ab".repeat(32);
    Pod pod =
        Chart.withEtcd()
            .set("tests.image.repository", "registry.example/kubectl")
            .set("tests.image.tag", "1.34.2")
            .set("tests.image.digest", digest)
            .renderTestHooks()
            .one(Pod.class);
    assertEquals("registry.example/kubectl:1.34.2@" + digest, container(pod).getImage());
  }

  @Test
  void passesWhenTheBrokenPolicyIsDeniedWithTheDocumentedMessageAndTheValidOneAllowed()
      throws Exception {
    Run run = runScript("webhook");
    assertEquals(0, run.exitCode(), run.output());
    assertTrue(run.output().contains("PASS: a Pod with a broken policy is denied"), run.output());
    assertTrue(run.output().contains("PASS: a Pod with a valid policy is admitted"), run.output());
  }

  @Test
  void failsWhenNothingJudgesThePods() throws Exception {
    Run run = runScript("absent");
    assertEquals(1, run.exitCode(), run.output());
    assertTrue(
        run.output().contains("FAIL: a Pod with a broken policy was admitted"), run.output());
  }

  @Test
  void failsWhenTheDenialIsNotTheDocumentedMessage() throws Exception {
    Run run = runScript("other-denial");
    assertEquals(1, run.exitCode(), run.output());
    assertTrue(run.output().contains("FAIL: expected the denial"), run.output());
  }

  @Test
  void failsWhenTheValidPolicyIsRefused() throws Exception {
    Run run = runScript("deny-all");
    assertEquals(1, run.exitCode(), run.output());
    assertTrue(run.output().contains("FAIL: a Pod with a valid policy was refused"), run.output());
  }

  private record Run(int exitCode, String output) {}

  /**
   * Runs the test Pod's command with a kubectl on PATH that judges the Pod manifest it is given:
   * {@code webhook} denies the policy of e2e/manifests/pod-broken.yaml with the message of
   * e2e/expected/pod-broken.txt and admits others; {@code absent} admits everything; {@code
   * other-denial} denies the broken policy with another message; {@code deny-all} denies every Pod
   * with the documented message. It refuses calls that are not server-side dry runs in the test
   * namespace.
   */
  private Run runScript(String mode) throws IOException, InterruptedException {
    Pod pod = Chart.withEtcd().set("tests.namespace", "shop").renderTestHooks().one(Pod.class);
    Container container = container(pod);
    assertEquals(List.of("/bin/sh", "-c"), container.getCommand().subList(0, 2));
    Map<String, Object> broken = new Yaml().load(Files.readString(BROKEN_POD));
    @SuppressWarnings("unchecked")
    String policy =
        ((Map<String, Map<String, String>>) broken.get("metadata"))
            .get("annotations")
            .get("projectcalico.org/policy");
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path kubectl = bin.resolve("kubectl");
    Files.writeString(
        kubectl,
        """
        #!/bin/sh
        [ "$1 $2 $3 $4 $5" = "create --dry-run=server -n shop -f" ] || { echo "unexpected: $*" >&2; exit 2; }
        policy=$(sed -n 's/^    projectcalico.org\\/policy: "\\(.*\\)"$/\\1/p' "$6")
        case $MODE in
          absent) echo "pod/x created (server dry run)"; exit 0 ;;
          deny-all) echo "Error from server: $DENIED$MESSAGE" >&2; exit 1 ;;
        esac
        if [ "$policy" = "$BROKEN" ]; then
          if [ "$MODE" = other-denial ]; then echo "Error from server: ${DENIED}no" >&2; exit 1; fi
          echo "Error from server: $DENIED$MESSAGE" >&2; exit 1
        fi
        echo "pod/x created (server dry run)"
        """);
    Files.setPosixFilePermissions(kubectl, PosixFilePermissions.fromString("rwx------"));
    ProcessBuilder builder =
        new ProcessBuilder(container.getCommand())
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.command().add(container.getArgs().isEmpty() ? "" : container.getArgs().get(0));
    builder.command().removeIf(String::isEmpty);
    Map<String, String> env = builder.environment();
    env.put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
    container.getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
    env.put("MODE", mode);
    env.put("BROKEN", policy);
    env.put("DENIED", DENIED);
    env.put("MESSAGE", Files.readString(BROKEN_MESSAGE).strip());
    Path log = dir.resolve(mode + ".log");
    builder.redirectOutput(log.toFile());
    Process process = builder.start();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("the test script still ran after 30 s");
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    return new Run(process.exitValue(), output.substring(0, Math.min(output.length(), 16_384)));
  }

  private static Container container(Pod pod) {
    assertEquals(1, pod.getSpec().getContainers().size());
    return pod.getSpec().getContainers().get(0);
  }

  private static String env(Container container, String name) {
    return container.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name))
        .getValue();
  }
}
