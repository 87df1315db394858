package io.calicowebhook.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * e2e/run.sh without a cluster: its dry run, and real runs against a stand-in kubectl and helm
 * (src/test/resources/e2e/fake-cluster) that answer as a cluster with the webhook does, or break
 * one thing, so that the script's own logic (comparisons, waits, PASS/FAIL, exit code, cleanup) is
 * exercised. The run against a real cluster is the e2e workflow's job.
 */
class E2eScriptTest {
  private static final Path SCRIPT = RepoFiles.E2E.resolve("run.sh");
  private static final Path FAKE_CLUSTER =
      Path.of("src", "test", "resources", "e2e", "fake-cluster");
  private static final String NAME = "cpw-e2e-junit";
  private static final String APPS = NAME + "-apps";
  private static final String FULLNAME = NAME + "-calico-policy-webhook";
  private static final Duration LIMIT = Duration.ofMinutes(2);

  @TempDir Path state;

  @Test
  void dryRunPrintsEveryCommandInOrderAndRunsNone() throws IOException {
    Command run = run(Map.of("E2E_IMAGE", "registry.example.com/cpw:1.2.3"), "--dry-run");
    assertEquals(0, run.exitCode(), run::output);
    assertFalse(Files.exists(state.resolve("kubectl.log")), "the dry run ran kubectl");
    assertFalse(Files.exists(state.resolve("helm.log")), "the dry run ran helm");
    assertInOrder(
        run.output(),
        "+ kubectl create namespace " + NAME,
        "+ kubectl apply -n " + NAME + " -f e2e/manifests/etcd.yaml",
        "+ helm install " + NAME + " helm/calico-policy-webhook -n " + NAME,
        "--set etcd.endpoints=http://etcd." + NAME + ".svc:2379",
        "--set image.repository=registry.example.com/cpw --set image.tag=1.2.3",
        "+ kubectl apply -n " + APPS + " -f e2e/manifests/pod-broken.yaml",
        "+ kubectl apply -n " + APPS + " -f e2e/manifests/deployment-broken.yaml",
        "+ kubectl apply -n " + APPS + " -f e2e/manifests/pod-legacy.yaml",
        "+ kubectl apply --dry-run=server -n " + APPS + " -f e2e/manifests/pod-dry-run.yaml",
        "+ kubectl apply -n " + APPS + " -f e2e/manifests/pod-web.yaml",
        "etcdctl --endpoints=http://127.0.0.1:2379 get /calico/v1/policy/profile/"
            + APPS
            + "_web/rules",
        "+ kubectl delete -n " + APPS + " pod/web",
        "+ kubectl get --raw /version",
        "+ kubectl scale deployment -n " + NAME + " FULLNAME --replicas=0",
        "+ kubectl apply --dry-run=server -n " + APPS + " -f e2e/manifests/pod-broken.yaml",
        "+ kubectl apply -n " + APPS + " -f e2e/manifests/pod-plain.yaml",
        "+ kubectl scale deployment -n " + NAME + " FULLNAME --replicas=",
        "+ kubectl rollout status -n " + NAME + " deployment/FULLNAME",
        "+ helm upgrade " + NAME,
        "+ helm uninstall " + NAME,
        "+ kubectl delete namespace " + APPS + " " + NAME + " --wait=true",
        "dry run: printed the commands of every check; ran none",
        "cleaning up");
    assertFalse(run.output().contains("PASS"), run::output);
    assertTrue(
        run.output().contains("--set-json 'webhook.namespaceSelector="),
        "scratch selector by default");
    assertFalse(run.output().contains("calicowebhook.io/ignore"), run::output);
    try (Stream<Path> manifests = Files.list(RepoFiles.E2E.resolve("manifests"))) {
      manifests.forEach(
          m -> assertTrue(run.output().contains(" -f " + m), () -> m + " is never applied"));
    }
  }

  @Test
  void passesEveryCheckOnAClusterThatBehavesAsDocumented() {
    Command run = run(Map.of());
    assertEquals(0, run.exitCode(), run::output);
    assertEquals(17, count(run.output(), "PASS "), run::output);
    assertTrue(run.output().contains("\n17 passed, 0 failed\n"), run::output);
    assertTrue(kubectlLog().contains("delete namespace " + APPS + " " + NAME + " --wait=true"));
  }

  @Test
  void failsTheCheckWhoseMessageDiffersAndGoesOnWithTheOthers() {
    Command run = run(Map.of("FAKE_POD_DENIAL", "projectcalico.org/policy: something else"));
    assertEquals(1, run.exitCode(), run::output);
    assertTrue(
        run.output()
            .contains(
                "FAIL a Pod with a broken policy is refused with the documented message:"
                    + " kubectl's message: expected 'projectcalico.org/policy: rule 2, column 54:"),
        run::output);
    assertTrue(run.output().contains("got 'projectcalico.org/policy: something else'"));
    assertTrue(run.output().contains("PASS a valid pod's profile appears in etcd"), run::output);
    assertTrue(run.output().contains("\n15 passed, 2 failed\n"), run::output);
    assertTrue(run.output().contains("cleaning up"), run::output);
  }

  /**
   * The chart names a release's objects by its own rules (fullnameOverride, truncation, a release
   * name holding the chart's name); the script reads the name from the installation.
   */
  @Test
  void checksTheObjectsTheReleaseNamedWhateverTheChartCalledThem() {
    Command run = run(Map.of("FAKE_FULLNAME", "webhook-of-" + NAME));
    assertEquals(0, run.exitCode(), run::output);
    assertTrue(run.output().contains("\n17 passed, 0 failed\n"), run::output);
    String log = kubectlLog();
    assertTrue(log.contains("secret webhook-of-" + NAME + "-tls"), log);
    assertTrue(log.contains("get validatingwebhookconfigurations webhook-of-" + NAME + " "), log);
    assertFalse(log.contains(NAME + "-calico-policy-webhook"), log);
  }

  @Test
  void anEtcdctlFailureIsReportedAsItselfNotAsAnEmptyValue() {
    Command run = run(Map.of("FAKE_ETCDCTL_FAILS_ON", "/tags"));
    assertEquals(1, run.exitCode(), run::output);
    assertTrue(
        run.output()
            .contains(
                "FAIL a valid pod's profile appears in etcd: etcdctl get /calico/v1/policy/profile/"
                    + APPS
                    + "_web/tags failed: "),
        run::output);
    assertTrue(run.output().contains("Error: context deadline exceeded"), run::output);
    assertFalse(run.output().contains("got ''"), run::output);
  }

  @Test
  void upgradesFromAnEarlierReleaseKeepingTheProfileAndTheCertificate() {
    Command dry =
        run(
            Map.of(
                "E2E_UPGRADE_FROM", "oci://ghcr.io/o/charts/calico-policy-webhook@0.0.9",
                "E2E_UPGRADE_FROM_IMAGE", "ghcr.io/o/r:0.0.9",
                "E2E_IMAGE", "cpw:new"),
            "--dry-run");
    assertEquals(0, dry.exitCode(), dry::output);
    assertInOrder(
        dry.output(),
        "+ helm install "
            + NAME
            + " oci://ghcr.io/o/charts/calico-policy-webhook --version 0.0.9 -n "
            + NAME,
        "--set image.repository=ghcr.io/o/r --set image.tag=0.0.9",
        "+ kubectl apply -n " + APPS + " -f e2e/manifests/pod-web.yaml",
        "+ helm upgrade "
            + NAME
            + " helm/calico-policy-webhook -n "
            + NAME
            + " --reset-then-reuse-values",
        "--set image.repository=cpw --set image.tag=new",
        "etcdctl --endpoints=http://127.0.0.1:2379 get /calico-policy-webhook/v1/profiles/"
            + APPS
            + "_web",
        "+ kubectl delete -n " + APPS + " pod/web",
        "+ helm uninstall " + NAME);

    Command run =
        run(Map.of("E2E_UPGRADE_FROM", "oci://ghcr.io/o/charts/calico-policy-webhook@0.0.9"));
    assertEquals(0, run.exitCode(), run::output);
    assertTrue(
        run.output()
            .contains(
                "PASS helm upgrade to this chart and image keeps the certificate and the"
                    + " profile"),
        run::output);
    assertTrue(run.output().contains("\n11 passed, 0 failed\n"), run::output);
  }

  @Test
  void refusesAnUpgradeSourceWithoutAVersion() {
    Command run = run(Map.of("E2E_UPGRADE_FROM", "oci://ghcr.io/o/charts/x"), "--dry-run");
    assertEquals(2, run.exitCode(), run::output);
    assertTrue(run.output().contains("E2E_UPGRADE_FROM must be CHART@VERSION"), run::output);
  }

  @Test
  void givesUpWaitingAfterTheTimeoutAndSaysWhatItLastSaw() {
    Command run = run(Map.of("FAKE_PROFILE_STAYS", "1", "E2E_TIMEOUT", "3"));
    assertEquals(1, run.exitCode(), run::output);
    assertTrue(
        run.output()
            .contains(
                "FAIL a deleted pod's profile goes from etcd: waited 3s for profile "
                    + APPS
                    + "_web to leave etcd; last saw '/calico/v1/policy/profile/"
                    + APPS
                    + "_web/rules"),
        run::output);
  }

  @Test
  void stopsAtAnUnreachableClusterWithoutCreatingAnything() {
    Command run = run(Map.of("FAKE_UNREACHABLE", "1"));
    assertEquals(1, run.exitCode(), run::output);
    assertTrue(
        run.output().contains("FAIL the cluster answers: cannot reach the cluster"), run::output);
    assertEquals("version\n", kubectlLog(), "nothing but the reachability check may run");
    assertFalse(Files.exists(state.resolve("helm.log")), run::output);
  }

  /** The service-owned certificate mode: installed so, and its own Secret compared on upgrade. */
  @Test
  void installsWithTheServiceOwnedCertificatesWhenAsked() throws IOException {
    Command run = run(Map.of("E2E_TLS_MODE", "service"));
    assertEquals(0, run.exitCode(), run::output);
    assertTrue(run.output().contains("\n17 passed, 0 failed\n"), run::output);
    String helm = Files.readString(state.resolve("helm.log"));
    assertTrue(
        helm.lines()
            .anyMatch(l -> l.startsWith("install ") && l.endsWith("--set tls.mode=service")),
        helm);
    String secretReads =
        kubectlLog().lines().filter(l -> l.contains(" secret ")).reduce("", (a, b) -> a + b + "\n");
    assertTrue(
        secretReads.contains("secret " + NAME + "-calico-policy-webhook-certs "), secretReads);
    assertFalse(secretReads.contains("-tls "), secretReads);
  }

  /** The chart's own namespaceSelector: the exclusions it must keep are checked too. */
  @Test
  void withTheChartsNamespaceSelectorChecksWhatItExcludes() {
    Command dry = run(Map.of("E2E_NAMESPACE_SELECTOR", "chart"), "--dry-run");
    assertEquals(0, dry.exitCode(), dry::output);
    assertFalse(dry.output().contains("webhook.namespaceSelector"), dry::output);
    assertInOrder(
        dry.output(),
        "+ helm install " + NAME,
        "+ kubectl apply --dry-run=server -n " + NAME + " -f e2e/manifests/pod-broken.yaml",
        "CHECK with the chart's namespaceSelector the release namespace is not judged",
        "+ kubectl label namespace " + APPS + " calicowebhook.io/ignore=true",
        "+ kubectl apply --dry-run=server -n " + APPS + " -f e2e/manifests/pod-broken.yaml",
        "+ kubectl label namespace " + APPS + " calicowebhook.io/ignore-",
        "CHECK a namespace labelled calicowebhook.io/ignore=true is not judged");

    Command run = run(Map.of("E2E_NAMESPACE_SELECTOR", "chart"));
    assertEquals(0, run.exitCode(), run::output);
    assertTrue(
        run.output().contains("PASS with the chart's namespaceSelector the release namespace"),
        run::output);
    assertTrue(
        run.output().contains("PASS a namespace labelled calicowebhook.io/ignore=true"),
        run::output);
    assertTrue(run.output().contains("\n19 passed, 0 failed\n"), run::output);
    String helm = readState("helm.log");
    assertFalse(helm.contains("namespaceSelector"), helm);
  }

  @Test
  void failsWhenTheChartsSelectorJudgesTheReleaseNamespace() {
    Command run =
        run(Map.of("E2E_NAMESPACE_SELECTOR", "chart", "FAKE_RELEASE_NAMESPACE_JUDGED", "1"));
    assertEquals(1, run.exitCode(), run::output);
    assertTrue(
        run.output()
            .contains(
                "FAIL with the chart's namespaceSelector the release namespace is not judged:"
                    + " a broken policy in the release namespace "
                    + NAME
                    + " was refused"),
        run::output);
    assertTrue(run.output().contains("\n18 passed, 1 failed\n"), run::output);
  }

  /**
   * The webhook scaled to zero: an annotated pod is refused for want of it (so it is down), a pod
   * without annotations is created; then it comes back to its replicas.
   */
  @Test
  void aPodWithoutAnnotationsIsCreatedWhileTheWebhookIsScaledToZero() {
    Command run = run(Map.of());
    assertEquals(0, run.exitCode(), run::output);
    assertTrue(
        run.output()
            .contains(
                "PASS with the webhook scaled to zero a pod without policy annotations is created"),
        run::output);
    assertTrue(run.output().contains("PASS the webhook scales back and answers again"));
    List<String> log = kubectlLog().lines().toList();
    int down = log.indexOf("scale deployment -n " + NAME + " " + FULLNAME + " --replicas=0");
    int plain = log.indexOf("apply -n " + APPS + " -f e2e/manifests/pod-plain.yaml");
    int up = log.indexOf("scale deployment -n " + NAME + " " + FULLNAME + " --replicas=2");
    assertTrue(down >= 0 && down < plain && plain < up, String.join("\n", log));
    assertTrue(
        log.subList(down, plain).stream().anyMatch(l -> l.endsWith("-o name")),
        "waits for the webhook's pods to go");
  }

  @Test
  void failsWhenAPodWithoutAnnotationsWaitsOnTheWebhookAndStillScalesItBack() {
    Command run = run(Map.of("FAKE_NO_MATCH_CONDITIONS", "1"));
    assertEquals(1, run.exitCode(), run::output);
    assertTrue(
        run.output()
            .contains(
                "FAIL with the webhook scaled to zero a pod without policy annotations is created:"
                    + " a pod without policy annotations was refused while the webhook was down:"),
        run::output);
    assertTrue(run.output().contains("failed calling webhook"), run::output);
    assertTrue(run.output().contains("PASS the webhook scales back and answers again"));
    assertTrue(run.output().contains("\n16 passed, 1 failed\n"), run::output);
  }

  @Test
  void skipsTheWebhookDownCheckBefore128() {
    Command run = run(Map.of("FAKE_MINOR", "27"));
    assertEquals(0, run.exitCode(), run::output);
    assertTrue(
        run.output()
            .contains(
                "SKIP with the webhook scaled to zero a pod without policy annotations is created:"
                    + " Kubernetes 1.27 has no matchConditions"),
        run::output);
    assertFalse(kubectlLog().contains("scale deployment"), kubectlLog());
    assertTrue(run.output().contains("\n15 passed, 0 failed, 2 skipped\n"), run::output);
  }

  @Test
  void failsWhenTheUninstallHookLeavesItsJob() {
    Command run = run(Map.of("FAKE_HOOK_LEFT", "1"));
    assertEquals(1, run.exitCode(), run::output);
    assertTrue(
        run.output()
            .contains(
                "FAIL helm uninstall leaves no webhook configuration, cluster role or binding:"
                    + " Jobs and ServiceAccounts left by the release: expected '', got 'job.batch/"
                    + FULLNAME
                    + "-pre-delete'"),
        run::output);
  }

  @Test
  void refusesAnUnknownNamespaceSelector() {
    Command run = run(Map.of("E2E_NAMESPACE_SELECTOR", "all"), "--dry-run");
    assertEquals(2, run.exitCode(), run::output);
    assertTrue(
        run.output().contains("E2E_NAMESPACE_SELECTOR must be scratch or chart"), run::output);
  }

  @Test
  void refusesAnUnknownTlsMode() {
    Command run = run(Map.of("E2E_TLS_MODE", "self-signed"), "--dry-run");
    assertEquals(2, run.exitCode(), run::output);
    assertTrue(run.output().contains("E2E_TLS_MODE must be helm or service"), run::output);
  }

  @Test
  void refusesAnImageWithoutATag() {
    Command run = run(Map.of("E2E_IMAGE", "localhost:5000/calico-policy-webhook"), "--dry-run");
    assertEquals(2, run.exitCode(), run::output);
    assertTrue(run.output().contains("E2E_IMAGE must be REPOSITORY:TAG"), run::output);
  }

  @Test
  void explainsItselfAndRefusesUnknownArguments() {
    assertTrue(run(Map.of(), "--help").output().contains("usage: e2e/run.sh [--dry-run]"));
    Command unknown = run(Map.of(), "--dry-rum");
    assertEquals(2, unknown.exitCode(), unknown::output);
    assertTrue(unknown.output().contains("unknown argument: --dry-rum"), unknown::output);
  }

  private Command run(Map<String, String> extraEnv, String... args) {
    Map<String, String> env = new HashMap<>(extraEnv);
    env.put("PATH", FAKE_CLUSTER.toAbsolutePath() + File.pathSeparator + System.getenv("PATH"));
    env.put("FAKE_STATE", state.toString());
    env.putIfAbsent("E2E_NAME", NAME);
    env.putIfAbsent("E2E_TIMEOUT", "10");
    String[] command =
        Stream.concat(Stream.of(SCRIPT.toString()), Stream.of(args)).toArray(String[]::new);
    return Command.run(LIMIT, env, command);
  }

  private String kubectlLog() {
    return readState("kubectl.log");
  }

  private String readState(String file) {
    try {
      return Files.readString(state.resolve(file));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static int count(String text, String part) {
    return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
  }

  private static void assertInOrder(String output, String... parts) {
    int from = 0;
    for (String part : List.of(parts)) {
      int at = output.indexOf(part, from);
      assertTrue(at >= 0, () -> "'" + part + "' missing (or out of order) in:\n" + output);
      from = at + part.length();
    }
  }
}
