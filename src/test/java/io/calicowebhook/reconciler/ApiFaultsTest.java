package io.calicowebhook.reconciler;

import static org.awaitility.Awaitility.await;

import io.calicowebhook.etcd.EtcdExtension;
import io.calicowebhook.etcd.EtcdKeys;
import io.calicowebhook.etcd.EtcdKv;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The API server goes away (stopped: every connection refused) while pods change, and comes back on
 * the same port with the same objects: the informer watches again and etcd catches up. When the
 * watch's revision has expired meanwhile (410 Gone, as an API server answers after compaction), the
 * informer lists again and finds the pods deleted during the outage too.
 */
class ApiFaultsTest {
  private static final Duration SOON = Duration.ofSeconds(60);

  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  private final AtomicBoolean goneOnce = new AtomicBoolean();
  private final ExpiringWatches objects = new ExpiringWatches(goneOnce);
  private int port;
  private KubernetesMockServer server;
  private KubernetesClient client;
  private Replica replica;

  /**
   * The CRUD mock, whose next watch, when armed, gets what an API server sends for an expired
   * resource version: an ERROR event carrying a 410 Gone status.
   */
  static final class ExpiringWatches extends KubernetesCrudDispatcher {
    private static final String EXPIRED =
        "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
            + "\"status\":\"Failure\",\"reason\":\"Expired\",\"code\":410,"
            + "\"message\":\"too old resource version\"}}";
    private final AtomicBoolean goneOnce;

    ExpiringWatches(AtomicBoolean goneOnce) {
      this.goneOnce = goneOnce;
    }

    @Override
    public MockResponse handleGet(String path) {
      if (path.contains("watch=true") && goneOnce.compareAndSet(true, false)) {
        return new MockResponse()
            .withWebSocketUpgrade(
                new WebSocketListener() {
                  @Override
                  public void onOpen(WebSocket socket, Response response) {
                    socket.send(EXPIRED);
                  }
                });
      }
      return super.handleGet(path);
    }

    /** Creates {@code pod} in the store itself, as if through an API server no one can reach. */
    void createWhileDown(Pod pod) {
      String path = "/api/v1/namespaces/" + pod.getMetadata().getNamespace() + "/pods";
      byte[] body = Serialization.asJson(pod).getBytes(StandardCharsets.UTF_8);
      handleCreate(
          new RecordedRequest(
              "HTTP/1.1", HttpMethod.POST, path, Headers.builder().build(), new Buffer(body)));
    }
  }

  @BeforeEach
  void startApiServerAndReplica() throws IOException {
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    startApiServer();
    client =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder()
                    .withMasterUrl("http://localhost:" + port + "/")
                    .withNamespace("default")
                    .withWatchReconnectInterval(100)
                    .withRequestRetryBackoffLimit(0)
                    .build())
            .build();
    client.resource(TestPods.pod("faults", "stays")).create();
    client.resource(TestPods.pod("faults", "goes")).create();
    replica = Replica.start(client, ETCD.endpoint(), "replica-a");
    await().atMost(SOON).until(() -> ETCD.kv().get(EtcdKeys.rules("faults_goes")).isPresent());
  }

  @AfterEach
  void stopReplicaAndApiServer() {
    replica.close();
    client.close();
    server.destroy();
  }

  @Test
  void watchesAgainAfterTheApiServerRestarted() {
    EtcdKv kv = ETCD.kv();
    stopApiServer();
    objects.createWhileDown(TestPods.pod("faults", "new"));
    startApiServer();

    await().atMost(SOON).until(() -> kv.get(EtcdKeys.rules("faults_new")).isPresent());
    await().atMost(SOON).until(() -> replica.sync.pods().watching());
    client.pods().inNamespace("faults").withName("goes").delete();
    await().atMost(SOON).until(() -> kv.get(EtcdKeys.owner("faults_goes")).isEmpty());
  }

  @Test
  void listsAgainWhenTheWatchHasExpired() {
    EtcdKv kv = ETCD.kv();
    stopApiServer();
    objects.handleDelete("/api/v1/namespaces/faults/pods/goes");
    objects.createWhileDown(TestPods.pod("faults", "new"));
    goneOnce.set(true);
    startApiServer();

    await().atMost(SOON).until(() -> kv.get(EtcdKeys.owner("faults_goes")).isEmpty());
    await().atMost(SOON).until(() -> kv.get(EtcdKeys.rules("faults_new")).isPresent());
    await().atMost(SOON).until(() -> kv.get(EtcdKeys.rules("faults_stays")).isPresent());
    await().atMost(SOON).until(() -> replica.sync.pods().watching());
  }

  private void startApiServer() {
    server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), objects, false);
    server.init(InetAddress.getLoopbackAddress(), port);
  }

  private void stopApiServer() {
    server.destroy();
    await().atMost(SOON).until(() -> !replica.sync.pods().watching());
  }
}
