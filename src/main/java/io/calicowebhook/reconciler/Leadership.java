package io.calicowebhook.reconciler;

import io.calicowebhook.worker.Daemons;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Elects the one replica that writes to etcd with a {@code coordination.k8s.io} Lease (fabric8's
 * {@code LeaderElector}). Runs for as long as the replica runs: after losing the lease it stops
 * leading at once and stands as a candidate again. {@link #close()} gives the lease up, so that
 * another replica takes over without waiting for it to expire.
 *
 * <p>A leader must know it lost before anyone else can take over. So:
 *
 * <ul>
 *   <li>Lease calls go through a client of their own with short timeouts (below the retry period)
 *       and no HTTP retries, so that one call can never stretch past the renew deadline;
 *   <li>every successful renewal is timed on this replica's monotonic clock, from the moment the
 *       attempt began; a watchdog stops leading once no renewal succeeded within the renew deadline
 *       (shorter than the lease duration another replica waits for), whatever fabric8's loop is
 *       doing;
 *   <li>leading stops before the lease is released, never after: fabric8 releases first.
 * </ul>
 *
 * <p>The term record in etcd ({@code store.Fence}) makes this safe even when clocks or networks
 * misbehave; the watchdog makes it prompt.
 */
public final class Leadership implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Leadership.class);

  private final KubernetesClient client;
  private final KubernetesClient leaseClient;
  private final ReconcilerSettings.Lease lease;
  private final String namespace;
  private final String identity;
  private volatile boolean leaseRead;
  private final Runnable onStart;
  private final Runnable onStop;
  private final AtomicBoolean leading = new AtomicBoolean();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(Daemons.named("leader-election"));
  private volatile boolean closed;
  private volatile String leader;
  private volatile CompletableFuture<?> term;
  private volatile long attemptStarted; // nanoTime when the current Lease call began
  private volatile long renewedAt; // nanoTime when the last successful renewal began

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
    this.leaseClient = leaseClient(client, lease.retryPeriod());
    this.lease = lease;
    this.renewedAt = System.nanoTime() - lease.renewDeadline().toNanos() - 1; // never renewed
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
    long check = Math.max(10, lease.retryPeriod().toMillis() / 4);
    timer.scheduleWithFixedDelay(this::watchdog, check, check, TimeUnit.MILLISECONDS);
  }

  /**
   * A client like {@code client} for Lease calls alone: every request gives up within {@code
   * retryPeriod} (at least 100 ms), and none is retried.
   */
  static KubernetesClient leaseClient(KubernetesClient client, Duration retryPeriod) {
    int timeout = (int) Math.max(100, retryPeriod.toMillis() * 3 / 4);
    return new KubernetesClientBuilder()
        .withConfig(
            new ConfigBuilder(client.getConfiguration())
                .withRequestTimeout(timeout)
                .withConnectionTimeout(timeout)
                .withRequestRetryBackoffLimit(0)
                .withRequestRetryBackoffInterval(0)
                .build())
        .build();
  }

  /** Stops leading once no renewal succeeded within the renew deadline, on this replica's clock. */
  private void watchdog() {
    if (leading.get() && System.nanoTime() - renewedAt > lease.renewDeadline().toNanos()) {
      LOG.warnf(
          "%s: no Lease renewal succeeded within the renew deadline (%s); stopping writes before"
              + " another replica may take over",
          identity, lease.renewDeadline());
      stopped();
      CompletableFuture<?> current = term;
      if (current != null) {
        current.cancel(true); // fabric8 then releases, or finds the lease taken, and we stand again
      }
    }
  }

  /**
   * Gives the lead up now (another replica's term replaced this one's in etcd): stops leading and
   * stands again as a candidate.
   */
  public void relinquish() {
    stopped();
    CompletableFuture<?> current = term;
    if (current != null) {
      current.cancel(true);
    }
  }

  /** Whether this replica leads now. */
  public boolean leading() {
    return leading.get();
  }

  /**
   * Whether the Lease was read at least once (until then {@link #leader()} is null whether or not
   * another replica leads).
   */
  public boolean leaseRead() {
    return leaseRead;
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
            .withLock(new TimedLock(new LeaseLock(namespace, lease.name(), identity)))
            .withLeaseDuration(lease.duration())
            .withRenewDeadline(lease.renewDeadline())
            .withRetryPeriod(lease.retryPeriod())
            .withReleaseOnCancel(true)
            .withLeaderCallbacks(new LeaderCallbacks(this::started, this::stopped, this::observed))
            .build();
    CompletableFuture<?> next = leaseClient.leaderElector().withConfig(config).build().start();
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

  /** Stops standing; as leader, stops leading first, then releases the lease. */
  @Override
  public void close() {
    CompletableFuture<?> current;
    synchronized (this) {
      closed = true;
      current = term;
    }
    stopped();
    if (current != null) {
      current.cancel(true);
    }
    timer.shutdownNow();
    leaseClient.close();
  }

  /**
   * The Lease lock, timing this replica's successful renewals and stopping the lead before a
   * release: fabric8 calls {@code get} at the start of every attempt and {@code update} (or {@code
   * create}) when it renews, acquires or releases.
   */
  private final class TimedLock implements Lock {
    private final Lock lock;

    TimedLock(Lock lock) {
      this.lock = lock;
    }

    @Override
    public LeaderElectionRecord get(KubernetesClient client) {
      attemptStarted = System.nanoTime();
      LeaderElectionRecord record = lock.get(client);
      leaseRead = true;
      return record;
    }

    @Override
    public void create(KubernetesClient client, LeaderElectionRecord record) {
      long began = attemptStarted;
      lock.create(client, record);
      if (identity.equals(record.getHolderIdentity())) {
        renewedAt = began;
      }
    }

    @Override
    public void update(KubernetesClient client, LeaderElectionRecord record) {
      long began = attemptStarted;
      if (!identity.equals(record.getHolderIdentity())) {
        stopped(); // a release: stop writing before the lease is free for another replica
      }
      lock.update(client, record);
      if (identity.equals(record.getHolderIdentity())) {
        renewedAt = began;
      }
    }

    @Override
    public String identity() {
      return lock.identity();
    }

    @Override
    public String describe() {
      return lock.describe();
    }
  }
}
