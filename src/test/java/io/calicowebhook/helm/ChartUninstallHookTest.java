package io.calicowebhook.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * uninstall.deleteWebhooksFirst: the pre-delete hook that deletes the release's two webhook
 * configurations before helm uninstall deletes the Service and the pods; what it may do, and its
 * command run against a stand-in kubectl.
 */
class ChartUninstallHookTest {
  @TempDir Path dir;

  @Test
  void aPreDeleteHookWithItsOwnRbacIsOnByDefaultAndAbsentWhenTurnedOff() {
    Manifests hooks = Chart.withEtcd().renderHooks("pre-delete");
    assertEquals(
        List.of("ClusterRole", "ClusterRoleBinding", "Job", "ServiceAccount"), hooks.kinds());
    for (HasMetadata object : hooks.objects()) {
      Map<String, String> annotations = object.getMetadata().getAnnotations();
      assertEquals("pre-delete", annotations.get("helm.sh/hook"), object.getKind());
      assertEquals(
          "before-hook-creation,hook-succeeded",
          annotations.get("helm.sh/hook-delete-policy"),
          object.getKind());
    }
    assertTrue(
        Chart.withEtcd()
            .set("uninstall.deleteWebhooksFirst", false)
            .renderHooks("pre-delete")
            .objects()
            .isEmpty());
    // Not created by an installation, nor run by helm test.
    Set<String> hookNames = names(hooks.objects());
    for (HasMetadata installed : Chart.withEtcd().render().objects()) {
      assertFalse(
          hookNames.contains(installed.getKind() + "/" + installed.getMetadata().getName()),
          installed.getKind());
    }
    assertTrue(Chart.withEtcd().renderTestHooks().all(Job.class).isEmpty());
  }

  @Test
  void theRbacExistsBeforeTheJobRuns() {
    Manifests hooks = Chart.withEtcd().renderHooks("pre-delete");
    int job = weight(hooks.one(Job.class));
    for (HasMetadata rbac :
        List.of(
            hooks.one(ServiceAccount.class),
            hooks.one(ClusterRole.class),
            hooks.one(ClusterRoleBinding.class))) {
      assertTrue(weight(rbac) < job, rbac.getKind() + " must be created before the Job");
    }
  }

  @Test
  void theJobDeletesExactlyTheReleasesTwoWebhookConfigurationsByName() {
    Manifests installed = Chart.withEtcd().render();
    Set<String> expected = new TreeSet<>();
    expected.add(
        "validatingwebhookconfiguration/"
            + installed.one(ValidatingWebhookConfiguration.class).getMetadata().getName());
    expected.add(
        "mutatingwebhookconfiguration/"
            + installed.one(MutatingWebhookConfiguration.class).getMetadata().getName());

    List<String> command = command(Chart.withEtcd().renderHooks("pre-delete").one(Job.class));
    assertEquals(List.of("kubectl", "delete"), command.subList(0, 2));
    Set<String> targets = new TreeSet<>();
    List<String> flags = new ArrayList<>();
    int named = 0;
    for (String argument : command.subList(2, command.size())) {
      if (argument.startsWith("-")) {
        flags.add(argument);
      } else {
        targets.add(argument);
        named++;
      }
    }
    assertEquals(expected, targets);
    assertEquals(2, named, "each configuration once: " + command);
    assertTrue(flags.contains("--ignore-not-found"), command.toString());
    assertTrue(flags.contains("--wait=false"), "waiting would need watch: " + command);
    for (String flag : flags) {
      assertFalse(
          flag.startsWith("--all") || flag.startsWith("-l") || flag.startsWith("--selector"),
          "deletes by name only: " + command);
    }
  }

  @Test
  void theHookMayGetAndDeleteOnlyThoseTwoObjects() {
    String webhooks =
        Chart.withEtcd().render().one(ValidatingWebhookConfiguration.class).getMetadata().getName();
    Manifests hooks = Chart.withEtcd().renderHooks("pre-delete");
    ClusterRole role = hooks.one(ClusterRole.class);
    assertEquals(1, role.getRules().size());
    PolicyRule rule = role.getRules().get(0);
    assertEquals(List.of("admissionregistration.k8s.io"), rule.getApiGroups());
    assertEquals(
        Set.of("validatingwebhookconfigurations", "mutatingwebhookconfigurations"),
        Set.copyOf(rule.getResources()));
    assertEquals(List.of(webhooks), rule.getResourceNames());
    assertEquals(Set.of("get", "delete"), Set.copyOf(rule.getVerbs()));

    ClusterRoleBinding binding = hooks.one(ClusterRoleBinding.class);
    ServiceAccount account = hooks.one(ServiceAccount.class);
    Job job = hooks.one(Job.class);
    assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
    assertEquals(1, binding.getSubjects().size());
    assertEquals(account.getMetadata().getName(), binding.getSubjects().get(0).getName());
    assertEquals(Chart.NAMESPACE, binding.getSubjects().get(0).getNamespace());
    assertEquals(Chart.NAMESPACE, account.getMetadata().getNamespace());
    assertEquals(Chart.NAMESPACE, job.getMetadata().getNamespace());
    assertEquals(
        account.getMetadata().getName(),
        job.getSpec().getTemplate().getSpec().getServiceAccountName());
    // The webhook's own ClusterRole is another object, so deleting the hook's leaves it alone.
    assertNotEquals(
        Chart.withEtcd().render().one(ClusterRole.class).getMetadata().getName(),
        role.getMetadata().getName());
  }

  @Test
  void theJobRunsTheTestImageAndIsNeverSelectedAsAWebhookPod() {
    String digest = "sha256:" + "cd".repeat(32);
    Job job =
        Chart.withEtcd()
            .set("tests.enabled", false)
            .set("tests.image.repository", "registry.example/kubectl")
            .set("tests.image.tag", "1.34.2")
            .set("tests.image.digest", digest)
            .renderHooks("pre-delete")
            .one(Job.class);
    assertEquals("registry.example/kubectl:1.34.2@" + digest, container(job).getImage());
    assertEquals("Never", job.getSpec().getTemplate().getSpec().getRestartPolicy());
    Map<String, String> selector =
        Chart.withEtcd().render().one(Deployment.class).getSpec().getSelector().getMatchLabels();
    Map<String, String> labels = job.getSpec().getTemplate().getMetadata().getLabels();
    assertFalse(
        labels.entrySet().containsAll(selector.entrySet()),
        "the Service and the NetworkPolicy select pods by " + selector + ": " + labels);
  }

  @Test
  void deletesBothConfigurations() throws Exception {
    Path cluster = cluster("validatingwebhookconfiguration", "mutatingwebhookconfiguration");
    Run run = runJob(cluster);
    assertEquals(0, run.exitCode(), run.output());
    try (var left = Files.list(cluster)) {
      assertEquals(List.of(), left.toList());
    }
    assertTrue(run.output().contains("validatingwebhookconfiguration"), run.output());
    assertTrue(run.output().contains("mutatingwebhookconfiguration"), run.output());
  }

  @Test
  void aConfigurationAlreadyGoneIsNotAFailure() throws Exception {
    Path cluster = cluster("mutatingwebhookconfiguration");
    Run run = runJob(cluster);
    assertEquals(0, run.exitCode(), run.output());
    try (var left = Files.list(cluster)) {
      assertEquals(List.of(), left.toList());
    }
  }

  @Test
  void aRefusedDeleteFailsTheHook() throws Exception {
    Path cluster = cluster("validatingwebhookconfiguration", "mutatingwebhookconfiguration");
    Files.writeString(cluster.resolve(".forbidden"), "");
    Run run = runJob(cluster);
    assertEquals(1, run.exitCode(), run.output());
    assertTrue(run.output().contains("Forbidden"), run.output());
  }

  private record Run(int exitCode, String output) {}

  /** A directory standing for the cluster: one file per webhook configuration of the release. */
  private Path cluster(String... kinds) throws IOException {
    String name =
        Chart.withEtcd().render().one(ValidatingWebhookConfiguration.class).getMetadata().getName();
    Path cluster = Files.createDirectories(dir.resolve("cluster"));
    for (String kind : kinds) {
      Files.writeString(cluster.resolve(kind + "." + name), "");
    }
    return cluster;
  }

  /**
   * Runs the Job's command with a stand-in kubectl that answers delete as kubectl does: each
   * TYPE/NAME is deleted, or NotFound (exit 1, unless --ignore-not-found); Forbidden (exit 1) when
   * the cluster directory holds {@code .forbidden}. It refuses anything but delete.
   */
  private Run runJob(Path cluster) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(command(Chart.withEtcd().renderHooks("pre-delete").one(Job.class)));
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path kubectl = bin.resolve("kubectl");
    Files.writeString(
        kubectl,
        """
        #!/bin/sh
        [ "$1" = delete ] || { echo "unexpected: $*" >&2; exit 2; }
        shift
        ignore=false; targets=
        for a in "$@"; do
          case $a in
            --ignore-not-found|--ignore-not-found=true) ignore=true ;;
            --wait=false) ;;
            -*) echo "unexpected flag: $a" >&2; exit 2 ;;
            */*) targets="$targets $a" ;;
            *) echo "unexpected argument: $a" >&2; exit 2 ;;
          esac
        done
        [ -n "$targets" ] || { echo "error: resource(s) were provided, but no name" >&2; exit 1; }
        rc=0
        for t in $targets; do
          kind=${t%%/*}; name=${t#*/}
          if [ -e "$CLUSTER/.forbidden" ]; then
            echo "Error from server (Forbidden): $kind \\"$name\\" is forbidden" >&2; rc=1; continue
          fi
          if [ -e "$CLUSTER/$kind.$name" ]; then
            rm "$CLUSTER/$kind.$name"; echo "$kind.admissionregistration.k8s.io \\"$name\\" deleted"
          elif [ "$ignore" = false ]; then
            echo "Error from server (NotFound): $kind \\"$name\\" not found" >&2; rc=1
          fi
        done
        exit $rc
        """);
    Files.setPosixFilePermissions(kubectl, PosixFilePermissions.fromString("rwx------"));
    assertEquals("kubectl", command.get(0));
    command.set(0, kubectl.toString());
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().put("CLUSTER", cluster.toString());
    Path log = dir.resolve("job.log");
    builder.redirectOutput(log.toFile());
    Process process = builder.start();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("the hook's command still ran after 30 s");
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    return new Run(process.exitValue(), output.substring(0, Math.min(output.length(), 16_384)));
  }

  private static List<String> command(Job job) {
    Container container = container(job);
    List<String> command = new ArrayList<>(container.getCommand());
    if (container.getArgs() != null) {
      command.addAll(container.getArgs());
    }
    return command;
  }

  private static Container container(Job job) {
    List<Container> containers = job.getSpec().getTemplate().getSpec().getContainers();
    assertEquals(1, containers.size());
    return containers.get(0);
  }

  private static int weight(HasMetadata object) {
    String weight = object.getMetadata().getAnnotations().get("helm.sh/hook-weight");
    return weight == null ? 0 : Integer.parseInt(weight);
  }

  private static Set<String> names(List<HasMetadata> objects) {
    Set<String> names = new TreeSet<>();
    objects.forEach(o -> names.add(o.getKind() + "/" + o.getMetadata().getName()));
    return names;
  }
}
