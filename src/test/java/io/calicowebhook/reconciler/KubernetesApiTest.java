package io.calicowebhook.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the reconciler turns itself on: only with a Kubernetes API configured. */
class KubernetesApiTest {
  @TempDir Path home;

  @Test
  void noneOnALaptopWithoutKubeconfig() {
    assertEquals(Optional.empty(), KubernetesApi.configured(Map.of(), Optional.empty(), home));
  }

  @Test
  void anExplicitApiServerUrl() {
    assertEquals(
        Optional.of("quarkus.kubernetes-client.api-server-url https://10.0.0.1:6443"),
        KubernetesApi.configured(Map.of(), Optional.of("https://10.0.0.1:6443"), home));
  }

  @Test
  void theKubeconfigInHomeOrNamedByKubeconfig() throws Exception {
    Files.createDirectories(home.resolve(".kube"));
    Path fallback = Files.writeString(home.resolve(".kube/config"), "apiVersion: v1");
    Path named = Files.writeString(home.resolve("other"), "apiVersion: v1");

    assertEquals(
        Optional.of("kubeconfig " + fallback),
        KubernetesApi.configured(Map.of(), Optional.empty(), home));
    assertEquals(
        Optional.of("kubeconfig " + named),
        KubernetesApi.configured(
            Map.of("KUBECONFIG", home.resolve("missing") + ":" + named), Optional.empty(), home));
    assertEquals(
        Optional.empty(),
        KubernetesApi.configured(
            Map.of("KUBECONFIG", home.resolve("missing").toString()), Optional.empty(), home),
        "KUBECONFIG naming no readable file means no kubeconfig, as for kubectl");
  }

  @Test
  void notInClusterWithoutTheServiceAccountToken() {
    assertEquals(
        Files.isReadable(KubernetesApi.TOKEN)
            ? Optional.of("in-cluster service account")
            : Optional.empty(),
        KubernetesApi.configured(
            Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1"), Optional.empty(), home));
  }
}
