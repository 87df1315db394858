package io.calicowebhook.reconciler;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.calicowebhook.etcd.EtcdExtension;
import io.calicowebhook.etcd.EtcdKeys;
import io.calicowebhook.etcd.EtcdKv;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * When a replica's first resync runs, against a Kubernetes mock server in CRUD mode and a real
 * etcd: a replica that leads before its informer has listed the pods (a fresh start) writes the
 * listing first and resyncs after, so the resync finds everything written; one that takes the lead
 * with a complete cache (a fail-over) resyncs at once, and that resync is what queues the pods.
 */
@EnableKubernetesMockClient(crud = true)
class FirstResyncTest {
  private static final Duration SOON = Duration.ofSeconds(60);
  private static final int PODS = 300;

  /**
   * One profile per transaction, one transaction at a time: the listing takes the worker a while.
   */
  private static final Map<String, String> SLOW_WORKER =
      Map.of("calico.etcd.max-txn-ops", "3", "calico.worker.in-flight", "1");

  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  static KubernetesMockServer server;
  static KubernetesClient client;

  private Replica replica;

  @BeforeEach
  void seed() {
    for (int i = 0; i < PODS; i++) {
      client
          .resource(
              TestPods.pod("shop", "pod-" + i, Map.of("app", "shop"), "allow tcp to ports 80"))
          .create();
    }
  }

  @AfterEach
  void stop() {
    replica.close();
    client.pods().inAnyNamespace().delete();
  }

  @Test
  void aFreshStartWritesTheListingBeforeItsFirstResync() {
    replica = Replica.create(client, ETCD.endpoint(), "fresh", SLOW_WORKER);
    replica.sync.reconciler().startLeading(); // leads before the first listing has begun
    replica.sync.pods().start();

    Resync.Report first = firstResync();

    assertEquals(PODS, first.pods());
    assertEquals(0, first.created(), "the worker had written every listed pod already");
    assertEquals(PODS, first.unchanged());
    assertEquals(PODS, profilesInEtcd());
  }

  @Test
  void aReplicaTakingTheLeadWithACompleteCacheResyncsAtOnce() {
    replica = Replica.create(client, ETCD.endpoint(), "standby", SLOW_WORKER);
    replica.sync.pods().start();
    await().atMost(SOON).until(() -> replica.sync.pods().size() == PODS);
    await().atMost(SOON).until(replica.sync.pods()::synced);
    replica.sync.reconciler().startLeading(); // fail-over: nothing was queued while following

    Resync.Report first = firstResync();

    // The first resync of a term waits until the watch is heard from since the term began (here
    // the silent watch's relist): what the worker wrote meanwhile, the resync finds unchanged.
    assertEquals(PODS, first.created() + first.unchanged(), "the resync saw every pod");
    assertEquals(0, first.deleted());
    await().atMost(SOON).until(() -> profilesInEtcd() == PODS);
  }

  private Resync.Report firstResync() {
    Reconciler reconciler = replica.sync.reconciler();
    await().atMost(SOON).until(() -> reconciler.resyncCount() == 1);
    return reconciler.lastResync().orElseThrow();
  }

  private static long profilesInEtcd() {
    EtcdKv kv = ETCD.kv();
    return kv.count(EtcdKeys.owner("shop_"));
  }
}
