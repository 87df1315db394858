package io.calicowebhook.sync;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calicowebhook.etcd.EtcdExtension;
import io.calicowebhook.reconciler.ClusterMode;
import io.calicowebhook.reconciler.Replica;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponse.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The readiness check {@code takeover}: a new replica is held back from a rolling update while its
 * informer lists and another replica leads, for at most {@code calico.reconciler.ready-wait}.
 */
@EnableKubernetesMockClient(crud = true)
class TakeoverReadinessTest {
  private static final Duration SOON = Duration.ofSeconds(30);
  private static final Duration WAIT = Duration.ofMinutes(2);
  private static final Duration EARLY = Duration.ofSeconds(5);

  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  static KubernetesClient client;

  private Replica replica;

  @AfterEach
  void stop() {
    if (replica != null) {
      replica.close();
    }
    client.leases().inAnyNamespace().delete();
  }

  // ---- the decision, one condition at a time ----

  @Test
  void heldWhileListingNotLeadingAnotherLeadsAndWithinTheWait() {
    HealthCheckResponse held = decide(false, false, "replica-a", EARLY, WAIT);

    assertEquals(Status.DOWN, held.getStatus());
    assertEquals("takeover", held.getName());
    assertEquals(false, data(held).get("informerSynced"));
    assertEquals("replica-a", data(held).get("leader"));
    String reason = (String) data(held).get("reason");
    assertTrue(reason.contains("replica-a leads"), reason);
    assertTrue(reason.contains("calico.reconciler.ready-wait (120s, 5s passed)"), reason);
  }

  @Test
  void readyOnceTheInformerHasListed() {
    HealthCheckResponse ready = decide(true, false, "replica-a", EARLY, WAIT);

    assertEquals(Status.UP, ready.getStatus());
    assertEquals(true, data(ready).get("informerSynced"));
    assertFalse(data(ready).containsKey("reason"));
  }

  @Test
  void aReplicaThatLeadsIsNeverHeld() {
    assertEquals(Status.UP, decide(false, true, "replica-b", EARLY, WAIT).getStatus());
    // leading as seen locally wins even over a stale view of the Lease
    assertEquals(Status.UP, decide(false, true, "replica-a", EARLY, WAIT).getStatus());
  }

  @Test
  void readyWhenNoOtherReplicaLeads() {
    assertEquals(Status.UP, decide(false, false, null, EARLY, WAIT).getStatus(), "no leader");
    assertEquals(Status.UP, decide(false, false, "", EARLY, WAIT).getStatus(), "empty holder");
    assertEquals(
        Status.UP, decide(false, false, "replica-b", EARLY, WAIT).getStatus(), "itself holds it");
    assertEquals("null", data(decide(false, false, null, EARLY, WAIT)).get("leader"));
  }

  @Test
  void readyOnceTheWaitHasPassed() {
    assertEquals(
        Status.DOWN, decide(false, false, "replica-a", WAIT.minusMillis(1), WAIT).getStatus());
    assertEquals(Status.UP, decide(false, false, "replica-a", WAIT, WAIT).getStatus());
    assertEquals(Status.UP, decide(false, false, "replica-a", WAIT.plusDays(1), WAIT).getStatus());
  }

  @Test
  void aWaitOfZeroTurnsTheGateOff() {
    assertEquals(
        Status.UP, decide(false, false, "replica-a", Duration.ZERO, Duration.ZERO).getStatus());
  }

  @Test
  void readyInLocalMode() {
    HealthCheckResponse local = SyncHealthChecks.takeoverReadiness(null, WAIT);

    assertEquals(Status.UP, local.getStatus());
    assertEquals("local", data(local).get("mode"));
  }

  // ---- a replica's real informer and leader election, against a mock API server ----

  /**
   * Another replica holds the Lease; this one's informer has not listed yet: unready, and ready as
   * soon as its first listing is in the cache, without ever leading.
   */
  @Test
  void aNewReplicaIsReadyOnceItsInformerHasListedWhileAnotherLeads() {
    holdLease("replica-a");
    ClusterMode cluster = follower();

    await().atMost(SOON).until(() -> "replica-a".equals(cluster.leadership().leader()));
    HealthCheckResponse held = SyncHealthChecks.takeoverReadiness(cluster, WAIT);
    assertEquals(Status.DOWN, held.getStatus(), () -> String.valueOf(data(held)));
    assertEquals("replica-a", data(held).get("leader"));

    cluster.pods().start();

    await()
        .atMost(SOON)
        .until(() -> SyncHealthChecks.takeoverReadiness(cluster, WAIT).getStatus() == Status.UP);
    assertEquals(
        true, data(SyncHealthChecks.takeoverReadiness(cluster, WAIT)).get("informerSynced"));
    assertFalse(cluster.leadership().leading());
  }

  /**
   * Before its first read of the Lease a replica cannot know whether another leads: held, so that a
   * probe in that moment does not let a rollout go on with a cold cache; with no leader once read,
   * ready.
   */
  @Test
  void heldUntilTheLeaseIsReadThenReadyWhenNobodyLeads() {
    replica = Replica.create(client, ETCD.endpoint(), "replica-b", Map.of());
    ClusterMode cluster = replica.cluster();

    HealthCheckResponse unread = SyncHealthChecks.takeoverReadiness(cluster, WAIT);
    assertEquals(Status.DOWN, unread.getStatus(), () -> String.valueOf(data(unread)));
    assertEquals(SyncHealthChecks.UNREAD_LEASE, data(unread).get("leader"));

    cluster.leadership().start(); // the Lease does not exist: nobody leads, this replica takes it
    await().atMost(SOON).until(() -> cluster.leadership().leaseRead());
    await()
        .atMost(SOON)
        .until(() -> SyncHealthChecks.takeoverReadiness(cluster, WAIT).getStatus() == Status.UP);
    assertFalse(cluster.pods().synced());
  }

  /** An informer that never lists (say the API server cannot answer it) holds only so long. */
  @Test
  void aReplicaWhoseInformerNeverListsIsReadyAfterTheWait() {
    holdLease("replica-a");
    ClusterMode cluster = follower();
    Duration wait = cluster.age().plusSeconds(3);

    await().atMost(SOON).until(() -> "replica-a".equals(cluster.leadership().leader()));
    assertEquals(Status.DOWN, SyncHealthChecks.takeoverReadiness(cluster, wait).getStatus());

    await()
        .atMost(SOON)
        .until(() -> SyncHealthChecks.takeoverReadiness(cluster, wait).getStatus() == Status.UP);
    assertFalse(cluster.pods().synced());
    assertTrue(cluster.age().compareTo(wait) >= 0, () -> "ready after " + cluster.age());
  }

  private static HealthCheckResponse decide(
      boolean synced, boolean leading, String leader, Duration waited, Duration wait) {
    return SyncHealthChecks.takeoverReadiness(synced, leading, leader, "replica-b", waited, wait);
  }

  private static Map<String, Object> data(HealthCheckResponse response) {
    return response.getData().orElse(Map.of());
  }

  /** Replica B, standing for the Lease but with its informer not started. */
  private ClusterMode follower() {
    replica = Replica.create(client, ETCD.endpoint(), "replica-b", Map.of());
    ClusterMode cluster = replica.cluster();
    cluster.leadership().start();
    return cluster;
  }

  /** The Lease as another replica that renews it holds it. */
  private static void holdLease(String holder) {
    client
        .resource(
            new LeaseBuilder()
                .withNewMetadata()
                .withNamespace("calico-policy-webhook")
                .withName("calico-policy-webhook")
                .endMetadata()
                .withNewSpec()
                .withHolderIdentity(holder)
                .withAcquireTime(ZonedDateTime.now().truncatedTo(ChronoUnit.MICROS))
                .withRenewTime(ZonedDateTime.now().truncatedTo(ChronoUnit.MICROS))
                .withLeaseDurationSeconds(3600)
                .withLeaseTransitions(0)
                .endSpec()
                .build())
        .create();
  }
}
