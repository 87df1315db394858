package io.calicowebhook.helm;

import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;

/**
 * The Kubernetes API that Helm's {@code lookup} reads while the chart renders: the fabric8 mock
 * server (the one behind the Quarkus Kubernetes test server) in CRUD mode, on loopback.
 *
 * <p>helm-java renders templates with a live client (its template command does not run in Helm's
 * client-only dry-run mode), so {@code lookup} calls whatever cluster {@code KUBECONFIG} names.
 * Surefire points {@code KUBECONFIG} at a file in {@code target/}; this class writes it, so that
 * the tests never reach a real cluster and can seed the Secret an upgrade would find.
 */
final class FakeApiServer {
  private static FakeApiServer instance;

  private final KubernetesMockServer server;
  private final KubernetesClient client;

  private FakeApiServer() {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            responses,
            new KubernetesMixedDispatcher(responses),
            false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    // Discovery: lookup asks which resources the core group serves before reading one.
    var coreResources =
        new APIResourceListBuilder()
            .withGroupVersion("v1")
            .addToResources(
                new APIResourceBuilder()
                    .withName("secrets")
                    .withKind("Secret")
                    .withNamespaced(true)
                    .withVerbs("get", "list")
                    .build())
            .build();
    for (String path : new String[] {"/api/v1", "/api/v1?timeout=32s"}) {
      server.expect().get().withPath(path).andReturn(200, coreResources).always();
    }
    client = server.createClient();
    writeKubeconfig(client.getConfiguration());
    Runtime.getRuntime().addShutdownHook(new Thread(server::destroy));
  }

  static synchronized FakeApiServer get() {
    if (instance == null) {
      instance = new FakeApiServer();
    }
    return instance;
  }

  KubernetesClient client() {
    return client;
  }

  private static void writeKubeconfig(Config config) {
    String location = System.getenv("KUBECONFIG");
    if (location == null || location.isBlank() || location.contains(java.io.File.pathSeparator)) {
      throw new IllegalStateException(
          "KUBECONFIG must name one file for the chart tests (set by the surefire configuration in"
              + " pom.xml); run them through Maven");
    }
    String kubeconfig =
        """
        apiVersion: v1
        kind: Config
        clusters:
          - name: fake
            cluster:
              server: %s
        users:
          - name: fake
            user:
              token: fake
        contexts:
          - name: fake
            context:
              cluster: fake
              user: fake
        current-context: fake
        """
            .formatted(config.getMasterUrl());
    try {
      Path file = Path.of(location);
      Files.createDirectories(file.getParent());
      Files.writeString(file, kubeconfig);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
