package io.calicowebhook.reconciler;

import io.calicowebhook.worker.Daemons;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Elects the one replica that writes to etcd with a {@code coordination.k8s.io} Lease (fabric8's
 * {@code LeaderElector}). Runs for as long as the replica runs: after losing the lease (renewal
 * failed within the renew deadline) it stops leading at once and stands as a candidate again.
 * {@link #close()} gives the lease up, so that another replica takes over without waiting for it to
 * expire.
 */
public final class Leadership implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Leadership.class);

  private final KubernetesClient client;
  private final ReconcilerSettings.Lease lease;
  private final String namespace;
  private final String identity;
  private final Runnable onStart;
  private final Runnable onStop;
  private final AtomicBoolean leading = new AtomicBoolean();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(Daemons.named("leader-election"));
  private volatile boolean closed;
  private volatile String leader;
  private volatile CompletableFuture<?> term;

  /**
   * @param namespace where the Lease lives
   * @param identity this replica's name in the Lease
   * @param onStart called when this replica becomes the leader
   * @param onStop called when it stops being the leader (at most once per term)
   */
  public Leadership(
      KubernetesClient client,
      ReconcilerSettings.Lease lease,
      String namespace,
      String identity,
      Runnable onStart,
      Runnable onStop) {
    this.client = client;
    this.lease = lease;
    this.namespace = namespace;
    this.identity = identity;
    this.onStart = onStart;
    this.onStop = onStop;
  }

  /** Stands as a candidate; returns at once. */
  public void start() {
    LOG.infof(
        "leader election on Lease %s/%s as %s: only the leader writes to etcd",
        namespace, lease.name(), identity);
    timer.execute(this::stand);
  }

  /** Whether this replica leads now. */
  public boolean leading() {
    return leading.get();
  }

  /** The identity holding the lease as last seen, or null. */
  public String leader() {
    return leader;
  }

  /** This replica's identity. */
  public String identity() {
    return identity;
  }

  private synchronized void stand() {
    if (closed) {
      return;
    }
    LeaderElectionConfig config =
        new LeaderElectionConfigBuilder()
            .withName(lease.name())
            .withLock(new LeaseLock(namespace, lease.name(), identity))
            .withLeaseDuration(lease.duration())
            .withRenewDeadline(lease.renewDeadline())
            .withRetryPeriod(lease.retryPeriod())
            .withReleaseOnCancel(true)
            .withLeaderCallbacks(new LeaderCallbacks(this::started, this::stopped, this::observed))
            .build();
    CompletableFuture<?> next = client.leaderElector().withConfig(config).build().start();
    term = next;
    next.whenComplete((done, error) -> ended());
  }

  private void ended() {
    stopped();
    if (!closed) {
      timer.schedule(this::stand, lease.retryPeriod().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void started() {
    if (leading.compareAndSet(false, true)) {
      LOG.infof("%s leads: writing profiles to etcd", identity);
      onStart.run();
    }
  }

  private void stopped() {
    if (leading.compareAndSet(true, false)) {
      LOG.infof("%s no longer leads: stopped writing to etcd", identity);
      onStop.run();
    }
  }

  private void observed(String holder) {
    leader = holder;
  }

  /** Stops standing; as leader, stops leading and releases the lease. */
  @Override
  public void close() {
    CompletableFuture<?> current;
    synchronized (this) {
      closed = true;
      current = term;
    }
    if (current != null) {
      current.cancel(true);
    }
    stopped();
    timer.shutdownNow();
  }
}
