package io.calicowebhook.reconciler;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a Kubernetes API is configured, as fabric8 would find one: an in-cluster service account
 * ({@code KUBERNETES_SERVICE_HOST} and its token file), an explicit {@code
 * quarkus.kubernetes-client.api-server-url}, or a kubeconfig file ({@code KUBECONFIG}, else {@code
 * ~/.kube/config}).
 */
public final class KubernetesApi {
  static final Path TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

  private KubernetesApi() {}

  /** Why a Kubernetes API counts as configured, or empty when none is. */
  public static Optional<String> configured(
      Map<String, String> env, Optional<String> apiServerUrl, Path home) {
    if (apiServerUrl.filter(url -> !url.isBlank()).isPresent()) {
      return Optional.of("quarkus.kubernetes-client.api-server-url " + apiServerUrl.get());
    }
    if (env.containsKey("KUBERNETES_SERVICE_HOST") && Files.isReadable(TOKEN)) {
      return Optional.of("in-cluster service account");
    }
    String kubeconfig = env.get("KUBECONFIG");
    if (kubeconfig != null && !kubeconfig.isBlank()) {
      return Arrays.stream(kubeconfig.split(File.pathSeparator))
          .filter(file -> !file.isBlank() && Files.isReadable(Path.of(file)))
          .findFirst()
          .map(file -> "kubeconfig " + file);
    }
    Path fallback = home.resolve(".kube").resolve("config");
    return Files.isReadable(fallback) ? Optional.of("kubeconfig " + fallback) : Optional.empty();
  }
}
