package io.calicowebhook.sync;

import io.calicowebhook.config.CalicoConfig;
import io.calicowebhook.etcd.EtcdSettings;
import io.calicowebhook.reconciler.ReconcilerSettings;
import io.calicowebhook.worker.WorkerSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Every setting of etcd, the worker and the reconciler checked at once, so that start-up reports
 * every mistake in one message. (A value of the wrong type, such as a duration that does not parse,
 * is refused earlier by Quarkus, which also lists every such value in one message.)
 *
 * @param etcd the etcd connection and transaction limits
 * @param worker the etcd worker
 * @param reconciler the reconciler and its leader election
 */
public record SyncSettings(
    EtcdSettings etcd, WorkerSettings worker, ReconcilerSettings reconciler) {

  /** Settings that moved, with where they are now. */
  static final Map<String, String> MOVED =
      Map.of("calico.worker.max-txn-ops", "calico.etcd.max-txn-ops (CALICO_ETCD_MAX_TXN_OPS)");

  /**
   * Checks {@code config}; {@code isSet} tells whether a property is set at all (for settings that
   * moved).
   *
   * @throws IllegalStateException naming every bad setting
   */
  public static SyncSettings check(CalicoConfig config, Predicate<String> isSet) {
    List<String> problems = new ArrayList<>();
    EtcdSettings etcd = EtcdSettings.from(config.etcd(), problems);
    WorkerSettings worker = WorkerSettings.from(config.worker(), problems);
    ReconcilerSettings reconciler = ReconcilerSettings.from(config.reconciler(), problems);
    MOVED.forEach(
        (old, now) -> {
          if (isSet.test(old)) {
            problems.add(old + " is set, but it moved: set " + now + " instead");
          }
        });
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "invalid configuration:\n  - " + String.join("\n  - ", problems));
    }
    return new SyncSettings(etcd, worker, reconciler);
  }
}
