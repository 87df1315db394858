package io.calicowebhook.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calicowebhook.delivery.RepoFiles;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart runs the image the way src/main/docker/Dockerfile.jvm builds it, from where CI pushes
 * it.
 */
class ChartImageTest {
  private static String dockerfile;
  private static PodSpec pod;

  @BeforeAll
  static void render() throws IOException {
    dockerfile = Files.readString(RepoFiles.DOCKERFILE);
    pod = Chart.withEtcd().render().one(Deployment.class).getSpec().getTemplate().getSpec();
  }

  @Test
  void pullsThePublishedImageAtTheChartsAppVersion() {
    assertEquals(
        "ghcr.io/calico-policy-webhook/calico-policy-webhook:" + RepoFiles.appVersion(),
        container().getImage());
  }

  @Test
  void pullsAnotherRegistrysImageWhenTold() {
    Container other =
        Chart.withEtcd()
            .set("image.repository", "registry.example.com/cpw")
            .set("image.tag", "0.1.0-rc1")
            .set("image.pullPolicy", "Always")
            .render()
            .one(Deployment.class)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    assertEquals("registry.example.com/cpw:0.1.0-rc1", other.getImage());
    assertEquals("Always", other.getImagePullPolicy());
  }

  @Test
  void runsAsTheImagesOwnNonRootUser() {
    Matcher user = Pattern.compile("(?m)^USER (\\d+)$").matcher(dockerfile);
    assertTrue(
        user.find(), "the Dockerfile must name a numeric USER, so runAsNonRoot can check it");
    long imageUser = Long.parseLong(user.group(1));
    assertTrue(imageUser > 0);
    assertEquals(imageUser, pod.getSecurityContext().getRunAsUser());
    assertTrue(pod.getSecurityContext().getRunAsNonRoot());
    assertTrue(container().getSecurityContext().getRunAsNonRoot());
  }

  @Test
  void writesOnlyToAnEmptyDirAtTheImagesTemporaryDirectory() {
    String tmpdir = option("-Djava.io.tmpdir=([^\\s\"]+)");
    assertEquals(tmpdir, Path.of(option("-XX:ErrorFile=([^\\s\"]+)")).getParent().toString());
    assertTrue(container().getSecurityContext().getReadOnlyRootFilesystem());
    List<VolumeMount> writable =
        container().getVolumeMounts().stream()
            .filter(m -> !Boolean.TRUE.equals(m.getReadOnly()))
            .toList();
    assertEquals(1, writable.size(), () -> "writable mounts: " + writable);
    assertEquals(tmpdir, writable.get(0).getMountPath());
    Volume scratch =
        pod.getVolumes().stream()
            .filter(v -> v.getName().equals(writable.get(0).getName()))
            .findFirst()
            .orElseThrow();
    assertNotNull(scratch.getEmptyDir(), "the scratch directory is an emptyDir");
    assertNotNull(scratch.getEmptyDir().getSizeLimit(), "and it has a bound");
  }

  @Test
  void dropsEveryPrivilegeAsTheRestrictedPodSecurityStandardAsks() {
    var context = container().getSecurityContext();
    assertFalse(context.getAllowPrivilegeEscalation());
    assertEquals(List.of("ALL"), context.getCapabilities().getDrop());
    assertTrue(context.getCapabilities().getAdd().isEmpty());
    assertFalse(Boolean.TRUE.equals(context.getPrivileged()));
    assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
    assertFalse(Boolean.TRUE.equals(pod.getHostNetwork()));
  }

  private static String option(String regex) {
    Matcher m = Pattern.compile(regex).matcher(dockerfile);
    assertTrue(m.find(), () -> "the Dockerfile sets no " + regex);
    return m.group(1);
  }

  private static Container container() {
    return pod.getContainers().get(0);
  }
}
