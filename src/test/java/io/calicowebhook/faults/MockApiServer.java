package io.calicowebhook.faults;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;

/**
 * fabric8's mock Kubernetes API server in CRUD mode on a loopback port of its own, for the fault
 * tests: a port known before the server starts, so that a {@link FaultProxy} can stand in front of
 * it, and clients made as the service makes them (fabric8's defaults, retries included).
 */
public final class MockApiServer implements AutoCloseable {
  private final KubernetesMockServer server;
  private final int port;

  private MockApiServer(int port) {
    this.port = port;
    this.server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesCrudDispatcher(),
            false);
    server.init(InetAddress.getLoopbackAddress(), port);
  }

  /** Starts a server on a free loopback port. */
  public static MockApiServer start() {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
    return new MockApiServer(port); // once the probe socket is closed, so the port is free
  }

  /** Its port. */
  public int port() {
    return port;
  }

  /** A client of the server listening on {@code port} (this one's, or a proxy's in front of it). */
  public static KubernetesClient client(int port) {
    return new KubernetesClientBuilder()
        .withConfig(
            new ConfigBuilder()
                .withMasterUrl("http://localhost:" + port + "/")
                .withNamespace("default")
                .build())
        .build();
  }

  @Override
  public void close() {
    server.destroy();
  }
}
