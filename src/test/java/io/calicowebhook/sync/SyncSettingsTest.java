package io.calicowebhook.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.calicowebhook.reconciler.Replica;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every setting of etcd, worker and reconciler checked at once, through the real mapping. */
class SyncSettingsTest {

  @Test
  void defaultsAreValidAndDocumented() {
    SyncSettings settings =
        SyncSettings.check(
            Replica.config(Map.of("calico.etcd.endpoints", "http://127.0.0.1:2379")), p -> false);

    assertEquals(128, settings.etcd().limits().maxOps());
    assertEquals(1_400_000, settings.etcd().limits().maxBytes());
    assertEquals(Duration.ofMinutes(5), settings.reconciler().resyncPeriod());
    assertEquals("calico-policy-webhook", settings.reconciler().lease().name());
    assertEquals(Duration.ofSeconds(15), settings.reconciler().lease().duration());
    assertEquals(Duration.ofMinutes(2), settings.reconciler().readyWait());
  }

  @Test
  void aReadyWaitOfZeroTurnsTheWaitOff() {
    SyncSettings settings =
        SyncSettings.check(
            Replica.config(
                Map.of(
                    "calico.etcd.endpoints", "http://127.0.0.1:2379",
                    "calico.reconciler.ready-wait", "0s")),
            p -> false);

    assertEquals(Duration.ZERO, settings.reconciler().readyWait());
  }

  @Test
  void reportsEveryMistakeInOneMessage() {
    Map<String, String> bad =
        Map.of(
            "calico.etcd.endpoints", "etcd:2379",
            "calico.etcd.max-txn-ops", "2",
            "calico.etcd.max-txn-bytes", "1000",
            "calico.worker.in-flight", "0",
            "calico.reconciler.resync-period", "1s",
            "calico.reconciler.ready-wait", "-1s",
            "calico.reconciler.lease.name", "Not_A_Name",
            "calico.reconciler.lease.renew-deadline", "20s");

    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class,
            () -> SyncSettings.check(Replica.config(bad), "calico.worker.max-txn-ops"::equals));

    assertEquals(
        "invalid configuration:\n"
            + "  - ETCD_ENDPOINTS: 'etcd:2379' is not a client URL such as http://127.0.0.1:2379"
            + " or https://etcd:2379\n"
            + "  - calico.etcd.max-txn-ops must be at least 3 (one profile)\n"
            + "  - calico.etcd.max-txn-bytes must be at least 65536\n"
            + "  - calico.worker.in-flight must be at least 1\n"
            + "  - calico.reconciler.resync-period must be at least 10s\n"
            + "  - calico.reconciler.ready-wait must not be negative (0 turns the wait off)\n"
            + "  - calico.reconciler.lease.name 'Not_A_Name' is not a Kubernetes object name\n"
            + "  - calico.reconciler.lease: need 0 < retry-period < renew-deadline < duration (now"
            + " PT2S, PT20S, PT15S)\n"
            + "  - calico.worker.max-txn-ops is set, but it moved: set calico.etcd.max-txn-ops"
            + " (CALICO_ETCD_MAX_TXN_OPS) instead",
        refused.getMessage());
  }
}
