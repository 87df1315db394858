package io.calicowebhook.reconciler;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calicowebhook.etcd.EtcdExtension;
import io.calicowebhook.etcd.EtcdKeys;
import io.calicowebhook.etcd.EtcdKv;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two replicas on one Lease, against a Kubernetes mock server in CRUD mode and one real etcd: only
 * the leader writes; the other takes over when the leader stops; a leader whose lease is taken
 * stops writing at once.
 */
@EnableKubernetesMockClient(crud = true)
class LeaderElectionTest {
  private static final Duration SOON = Duration.ofSeconds(30);

  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  static KubernetesMockServer server;
  static KubernetesClient client;

  private Replica first;
  private Replica second;

  @AfterEach
  void stopReplicas() {
    if (first != null) {
      first.close();
    }
    if (second != null) {
      second.close();
    }
    client.pods().inAnyNamespace().delete();
    client.leases().inAnyNamespace().delete();
  }

  @Test
  void onlyTheLeaderWritesAndTheOtherTakesOverWhenItStops() {
    EtcdKv kv = ETCD.kv();
    first = Replica.start(client, ETCD.endpoint(), "replica-a");
    await().atMost(SOON).until(first::leading);
    second = Replica.start(client, ETCD.endpoint(), "replica-b");

    client.resource(TestPods.pod("shop", "cart")).create();
    await().atMost(SOON).until(() -> kv.get(EtcdKeys.rules("shop_cart")).isPresent());
    await() // the follower never leads nor writes while the leader renews
        .during(Duration.ofSeconds(2))
        .atMost(SOON)
        .until(() -> !second.leading() && !second.sync.worker().running());
    assertEquals(0.0, second.writes());
    assertTrue(first.writes() >= 1.0);

    first.close();
    first = null;
    client.resource(TestPods.pod("shop", "checkout")).create();

    await().atMost(SOON).until(second::leading);
    await().atMost(SOON).until(() -> kv.get(EtcdKeys.rules("shop_checkout")).isPresent());
    assertTrue(second.writes() >= 1.0, "the new leader wrote the pod created meanwhile");
    assertEquals("replica-b", holder());
  }

  /**
   * Calls that arrive after the replica closed (the lead ending, a resync asked for, a watch
   * breaking as etcd's client closes) are dropped, never thrown back at the caller's thread.
   */
  @Test
  void aClosedReplicaDropsLateCalls() {
    first = Replica.start(client, ETCD.endpoint(), "replica-a");
    await().atMost(SOON).until(first::leading);
    Reconciler reconciler = first.sync.reconciler();
    first.close();
    first = null;

    assertDoesNotThrow(reconciler::resyncSoon, "a resync asked for after close");
    assertDoesNotThrow(reconciler::stopLeading, "the lead ending after close");
    assertFalse(reconciler.leading());
  }

  @Test
  void aLeaderWhoseLeaseIsTakenStopsWritingAtOnce() {
    first = Replica.start(client, ETCD.endpoint(), "replica-a");
    await().atMost(SOON).until(first::leading);
    await().atMost(SOON).until(() -> first.sync.worker().running()); // once its term is written

    await() // the leader renews meanwhile: take the lease over on a fresh read until it sticks
        .atMost(SOON)
        .ignoreException(KubernetesClientException.class)
        .until(
            () -> {
              client.resource(takenOver(lease())).update();
              return true;
            });

    await().atMost(SOON).until(() -> !first.leading());
    assertFalse(first.sync.worker().running(), "stopped writing with the lead");
    client.resource(TestPods.pod("shop", "late")).create();
    await()
        .during(Duration.ofSeconds(2))
        .atMost(SOON)
        .until(() -> ETCD.kv().get(EtcdKeys.rules("shop_late")).isEmpty());
  }

  private static Lease lease() {
    return client
        .leases()
        .inNamespace("calico-policy-webhook")
        .withName("calico-policy-webhook")
        .get();
  }

  private static Lease takenOver(Lease lease) {
    return new LeaseBuilder(lease)
        .editSpec()
        .withHolderIdentity("intruder")
        .withRenewTime(ZonedDateTime.now().truncatedTo(ChronoUnit.MICROS))
        .withLeaseDurationSeconds(3600)
        .endSpec()
        .build();
  }

  private String holder() {
    return client
        .leases()
        .inNamespace("calico-policy-webhook")
        .withName("calico-policy-webhook")
        .get()
        .getSpec()
        .getHolderIdentity();
  }
}
