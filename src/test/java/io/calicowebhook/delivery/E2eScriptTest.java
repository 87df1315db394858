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
        "+ helm upgrade " + NAME,
        "+ helm uninstall " + NAME,
        "+ kubectl delete namespace " + APPS + " " + NAME + " --wait=true",
        "dry run: printed the commands of every check; ran none",
        "cleaning up");
    assertFalse(run.output().contains("PASS"), run::output);
    try (Stream<Path> manifests = Files.list(RepoFiles.E2E.resolve("manifests"))) {
      manifests.forEach(
          m -> assertTrue(run.output().contains(" -f " + m), () -> m + " is never applied"));
    }
  }

  @Test
  void passesEveryCheckOnAClusterThatBehavesAsDocumented() {
    Command run = run(Map.of());
    assertEquals(0, run.exitCode(), run::output);
    assertEquals(15, count(run.output(), "PASS "), run::output);
    assertTrue(run.output().contains("\n15 passed, 0 failed\n"), run::output);
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
    assertTrue(run.output().contains("\n13 passed, 2 failed\n"), run::output);
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
    assertTrue(run.output().contains("\n15 passed, 0 failed\n"), run::output);
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
    assertTrue(run.output().contains("\n15 passed, 0 failed\n"), run::output);
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
    try {
      return Files.readString(state.resolve("kubectl.log"));
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
