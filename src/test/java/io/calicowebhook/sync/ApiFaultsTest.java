package io.calicowebhook.sync;

import static org.awaitility.Awaitility.await;

import io.calicowebhook.etcd.EtcdExtension;
import io.calicowebhook.etcd.EtcdKeys;
import io.calicowebhook.etcd.EtcdKv;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.time.Duration;
import java.util.HashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The API server becomes unreachable (every connection cut, new ones refused) while pods change:
 * once it is back, the informer watches again and etcd catches up. Against a Kubernetes mock server
 * in CRUD mode behind a proxy the test cuts; the mock's watch can answer 410 Gone on demand, as an
 * API server does when the watched revision has expired.
 */
class ApiFaultsTest {
  private static final Duration SOON = Duration.ofSeconds(60);

  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  private static final AtomicBoolean GONE_ONCE = new AtomicBoolean();
  private static KubernetesMockServer server;
  private static KubernetesClient client;

  private CuttableProxy proxy;
  private KubernetesClient viaProxy;
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

    @Override
    public MockResponse handleGet(String path) {
      if (path.contains("watch=true") && GONE_ONCE.compareAndSet(true, false)) {
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
  }

  @BeforeAll
  static void startApiServer() {
    server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), new ExpiringWatches(), false);
    server.init();
    client = server.createClient();
  }

  @AfterAll
  static void stopApiServer() {
    client.close();
    server.destroy();
  }

  @BeforeEach
  void startReplicaBehindProxy() throws Exception {
    client.resource(TestPods.pod("faults", "stays")).create();
    client.resource(TestPods.pod("faults", "goes")).create();
    proxy = new CuttableProxy(server.getHostName(), server.getPort());
    viaProxy =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(client.getConfiguration())
                    .withMasterUrl("http://localhost:" + proxy.port() + "/")
                    .withWatchReconnectInterval(100)
                    .withRequestRetryBackoffLimit(0)
                    .build())
            .build();
    replica = Replica.start(viaProxy, ETCD.endpoint(), "replica-a");
    await().atMost(SOON).until(() -> ETCD.kv().get(EtcdKeys.rules("faults_goes")).isPresent());
  }

  @AfterEach
  void stopReplica() throws Exception {
    replica.close();
    viaProxy.close();
    proxy.close();
    client.pods().inAnyNamespace().delete();
    client.leases().inAnyNamespace().delete();
    GONE_ONCE.set(false);
  }

  @Test
  void watchesAgainAfterNetworkErrorsAndCatchesUp() {
    EtcdKv kv = ETCD.kv();
    proxy.cut();
    await().atMost(SOON).until(() -> !replica.sync.pods().watching());
    client.resource(TestPods.pod("faults", "new")).create();
    proxy.restore();

    await().atMost(SOON).until(() -> kv.get(EtcdKeys.rules("faults_new")).isPresent());
    await().atMost(SOON).until(() -> replica.sync.pods().watching());
    client.pods().inNamespace("faults").withName("goes").delete();
    await().atMost(SOON).until(() -> kv.get(EtcdKeys.owner("faults_goes")).isEmpty());
  }

  @Test
  void listsAgainWhenTheWatchHasExpired() {
    EtcdKv kv = ETCD.kv();
    proxy.cut();
    await().atMost(SOON).until(() -> !replica.sync.pods().watching());
    client.pods().inNamespace("faults").withName("goes").delete();
    client.resource(TestPods.pod("faults", "new")).create();
    GONE_ONCE.set(true);
    proxy.restore();

    await().atMost(SOON).until(() -> kv.get(EtcdKeys.owner("faults_goes")).isEmpty());
    await().atMost(SOON).until(() -> kv.get(EtcdKeys.rules("faults_new")).isPresent());
    await().atMost(SOON).until(() -> kv.get(EtcdKeys.rules("faults_stays")).isPresent());
    await().atMost(SOON).until(() -> replica.sync.pods().watching());
  }
}
