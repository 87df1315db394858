package io.calicowebhook.reconciler;

import io.calicowebhook.config.CalicoConfig;
import io.calicowebhook.worker.WorkerSettings;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The checked settings of the reconciler and its leader election.
 *
 * @param enabled on, off, or empty to decide by whether a Kubernetes API is configured
 * @param resyncPeriod how often etcd is compared with every pod
 * @param listPageSize pods per page of the informer's list requests
 * @param watchStaleAfter how long the pod watch may stay silent before it counts as dead
 * @param maxDeleteShare the largest share of owned profiles one resync deletes at once
 * @param readyWait how long readiness may wait for a new replica's first listing while another
 *     replica leads; zero: never
 * @param lease the Lease of the leader election
 */
public record ReconcilerSettings(
    Optional<Boolean> enabled,
    Duration resyncPeriod,
    int listPageSize,
    Duration watchStaleAfter,
    double maxDeleteShare,
    Duration readyWait,
    Lease lease) {

  /**
   * Where and how the replicas elect the one that writes.
   *
   * @param name the Lease's name
   * @param namespace the Lease's namespace, empty for the client's namespace
   * @param identity this replica's name in the Lease, empty for the host name
   */
  public record Lease(
      String name,
      Optional<String> namespace,
      Optional<String> identity,
      Duration duration,
      Duration renewDeadline,
      Duration retryPeriod) {}

  /**
   * Checks {@code config}, adding every mistake to {@code problems}.
   *
   * @return the settings, meaningful only when no problem was added
   */
  public static ReconcilerSettings from(CalicoConfig.Reconciler config, List<String> problems) {
    if (config.resyncPeriod().compareTo(Duration.ofSeconds(10)) < 0) {
      problems.add("calico.reconciler.resync-period must be at least 10s");
    }
    if (config.listPageSize() < 1) {
      problems.add("calico.reconciler.list-page-size must be at least 1");
    }
    if (config.watchStaleAfter().compareTo(Duration.ofSeconds(1)) < 0) {
      problems.add("calico.reconciler.watch-stale-after must be at least 1s");
    }
    if (!(config.maxDeleteShare() > 0 && config.maxDeleteShare() <= 1)) {
      problems.add("calico.reconciler.max-delete-share must be more than 0 and at most 1");
    }
    if (config.readyWait().isNegative()) {
      problems.add("calico.reconciler.ready-wait must not be negative (0 turns the wait off)");
    }
    CalicoConfig.Reconciler.Lease lease = config.lease();
    checkLease(lease, problems);
    return new ReconcilerSettings(
        config.enabled(),
        config.resyncPeriod(),
        config.listPageSize(),
        config.watchStaleAfter(),
        config.maxDeleteShare(),
        config.readyWait(),
        new Lease(
            lease.name(),
            lease.namespace().filter(s -> !s.isBlank()),
            lease.identity().filter(s -> !s.isBlank()),
            lease.duration(),
            lease.renewDeadline(),
            lease.retryPeriod()));
  }

  /** The Lease's name, and its three durations in order. */
  private static void checkLease(CalicoConfig.Reconciler.Lease lease, List<String> problems) {
    if (!lease.name().matches("[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?")) {
      problems.add(
          "calico.reconciler.lease.name '" + lease.name() + "' is not a Kubernetes object name");
    }
    boolean ordered =
        WorkerSettings.positive(lease.retryPeriod())
            && lease.retryPeriod().compareTo(lease.renewDeadline()) < 0
            && lease.renewDeadline().compareTo(lease.duration()) < 0;
    if (!ordered) {
      problems.add(
          "calico.reconciler.lease: need 0 < retry-period < renew-deadline < duration (now "
              + lease.retryPeriod()
              + ", "
              + lease.renewDeadline()
              + ", "
              + lease.duration()
              + ")");
    }
  }
}
