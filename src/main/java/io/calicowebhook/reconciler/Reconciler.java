package io.calicowebhook.reconciler;

import io.calicowebhook.etcd.EtcdErrors;
import io.calicowebhook.pod.PodKey;
import io.calicowebhook.profile.Escaping;
import io.calicowebhook.store.DriftWatch;
import io.calicowebhook.store.Fence;
import io.calicowebhook.store.FenceLostException;
import io.calicowebhook.worker.Backoff;
import io.calicowebhook.worker.Daemons;
import io.calicowebhook.worker.ProfileWorker;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Keeps etcd true to the pods that exist, while this replica leads: every pod change the informer
 * reports and every foreign change to a profile key in etcd queues the pod for the worker, and a
 * resync compares everything on taking the lead, every {@code resyncPeriod}, and after the etcd
 * watch broke. Losing the lead stops the worker at once.
 *
 * <p>On taking the lead it first writes its term record in etcd ({@link Terms}); the worker starts
 * only then, writing under that term's {@link Fence}, so that no write of an earlier leader can
 * commit after this one's first. When etcd refuses a write because another replica's term record
 * replaced this one's, this replica stops writing at once and gives the lead up ({@link
 * #onDeposed}).
 *
 * <p>Resyncs and watch restarts run on one thread of their own; when a resync fails (etcd away) it
 * is tried again with backoff, from 1 s up to 30 s (or the period, if shorter). An {@link Error} on
 * that thread would end every later resync without a word: it is kept in {@link #fatalError()},
 * which turns liveness DOWN so that Kubernetes restarts the pod.
 */
public final class Reconciler implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Reconciler.class);
  private static final Duration NOT_SYNCED_YET = Duration.ofMillis(500);

  /** How long the first resync of a fresh start waits for the worker to write the listing. */
  static final Duration CATCH_UP_LIMIT = Duration.ofSeconds(60);

  /** Starts a watch of etcd from a revision; its two callbacks are drift and broken. */
  public interface WatchStarter {
    DriftWatch start(long fromRevision, Consumer<String> onDrift, Runnable onBroken);
  }

  /** Begins a term: writes this replica's term record and answers its fence. */
  public interface Terms {
    CompletableFuture<Fence> take();
  }

  private final PodCache pods;
  private final ProfileWorker worker;
  private final Resync resync;
  private final WatchStarter watches;
  private final Terms terms;
  private volatile Runnable onDeposed = () -> {};
  private final Duration period;
  private final Backoff retry;
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(Daemons.named("reconciler"));
  private volatile boolean leading;
  private volatile Resync.Report last;
  private volatile Instant lastAt;
  private volatile String lastError;
  private volatile Throwable fatal;
  private final java.util.concurrent.atomic.AtomicLong resyncs =
      new java.util.concurrent.atomic.AtomicLong();
  private int term;
  private boolean catchingUp; // on the executor: this term began before the first listing ended
  private long termBegan; // on the executor: when this term's fence was taken (nanoTime)
  private boolean resynced; // on the executor: whether this term completed a resync
  private Long catchUpSince; // on the executor: when the listing was complete (nanoTime)
  private ScheduledFuture<?> next;
  private DriftWatch watch;

  public Reconciler(
      PodCache pods,
      ProfileWorker worker,
      Resync resync,
      WatchStarter watches,
      Terms terms,
      Duration period) {
    this.pods = pods;
    this.worker = worker;
    this.resync = resync;
    this.watches = watches;
    this.terms = terms;
    this.period = period;
    Duration max = period.compareTo(Duration.ofSeconds(30)) < 0 ? period : Duration.ofSeconds(30);
    this.retry = new Backoff(Duration.ofSeconds(1), max, new Random());
    pods.onChange(this::podChanged);
    worker.onFenceLost(this::fenceLost);
  }

  /** Who is told when another replica's term replaced this one's (the leader election). */
  public void onDeposed(Runnable listener) {
    this.onDeposed = listener;
  }

  /**
   * This replica leads: start the worker and resync at once. When it leads before its informer's
   * first listing is complete (the service just started), the pods listed so far are queued now and
   * the rest as they arrive, and the first resync waits until the worker has caught up with them
   * (at most {@link #CATCH_UP_LIMIT}), so that it does not compete with the first programming for
   * the CPU and etcd while finding nothing but what is queued already.
   */
  public void startLeading() {
    leading = true;
    onExecutor(
        () -> {
          term++;
          retry.reset();
          catchUpSince = null;
          takeTerm(term);
        });
  }

  /**
   * On the executor: writes the term record, then starts the worker under its fence and resyncs;
   * while etcd refuses, tries again with backoff for as long as the term lasts.
   */
  private void takeTerm(int forTerm) {
    if (ended(forTerm)) {
      return;
    }
    CompletableFuture<Fence> taken;
    try {
      taken = terms.take();
    } catch (RuntimeException e) {
      taken = CompletableFuture.failedFuture(e);
    }
    taken.whenComplete((fence, error) -> onExecutor(() -> termTaken(forTerm, fence, error)));
  }

  private void termTaken(int forTerm, Fence fence, Throwable error) {
    if (ended(forTerm)) {
      return;
    }
    if (error != null) {
      lastError = "cannot write the term record: " + EtcdErrors.describe(error);
      Duration pause = retry.next();
      LOG.warnf("%s; trying again in %d ms", lastError, pause.toMillis());
      executor.schedule(guarded(() -> takeTerm(forTerm)), pause.toMillis(), TimeUnit.MILLISECONDS);
      return;
    }
    LOG.infof("writing to etcd under the %s", fence);
    retry.reset();
    termBegan = System.nanoTime();
    resynced = false;
    worker.start(fence);
    catchingUp = !pods.synced();
    if (catchingUp) {
      pods.snapshot().forEach(pod -> worker.submit(pod.key()));
    }
    schedule(Duration.ZERO);
  }

  /** The worker's write was refused for its fence: another replica leads now. */
  private void fenceLost(FenceLostException lost) {
    if (!leading) {
      return;
    }
    leading = false;
    onExecutor(this::quiet);
    onDeposed.run();
  }

  /** This replica no longer leads: the worker stops now; the resyncs and the watch stop soon. */
  public void stopLeading() {
    leading = false;
    worker.stop();
    onExecutor(this::quiet);
  }

  /** Whether this replica leads (and so writes). */
  public boolean leading() {
    return leading;
  }

  /** The last resync's report, if one completed. */
  public Optional<Resync.Report> lastResync() {
    return Optional.ofNullable(last);
  }

  /** When the last resync completed. */
  public Optional<Instant> lastResyncAt() {
    return Optional.ofNullable(lastAt);
  }

  /** How many resyncs completed since start. */
  public long resyncCount() {
    return resyncs.get();
  }

  /** Resyncs as soon as possible (while leading), then every period again. */
  public void resyncSoon() {
    onExecutor(
        () -> {
          if (leading) {
            schedule(Duration.ZERO);
          }
        });
  }

  /** Why the last resync failed, when it did. */
  public Optional<String> lastError() {
    return Optional.ofNullable(lastError);
  }

  /** The {@link Error} that ended the resyncs, if one did: the process should be restarted. */
  public Optional<Throwable> fatalError() {
    return Optional.ofNullable(fatal);
  }

  /** {@code task}, with a throwable it lets out logged and an {@link Error} kept as fatal. */
  private Runnable guarded(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (Error e) { // NOPMD: a scheduled task's Error would otherwise vanish in its future
        fatal = e;
        LOG.errorf(e, "reconciler: resyncs ended by an error; liveness is DOWN");
      } catch (RuntimeException e) {
        LOG.error("reconciler: unexpected failure", e);
      }
    };
  }

  private void podChanged(PodKey key) {
    if (leading) {
      worker.submit(key);
    }
  }

  private void drifted(String id) {
    if (leading) {
      Escaping.podOf(id).ifPresent(worker::submit);
    }
  }

  private void watchBroken(int brokenTerm) {
    onExecutor(
        () -> {
          if (!ended(brokenTerm)) {
            closeWatch();
            schedule(retry.next());
          }
        });
  }

  /** On the executor: runs one resync for the current term, then schedules the next. */
  private void resyncNow(int forTerm) {
    if (ended(forTerm)) {
      return;
    }
    if (!pods.fresh() || (!resynced && !pods.heardSince(termBegan))) {
      // A cache behind the API would take live pods for orphans and roll policies back: the first
      // resync of a term waits until the watch has been heard from since the term began.
      schedule(NOT_SYNCED_YET);
      return;
    }
    if (catchingUp && stillCatchingUp()) {
      schedule(NOT_SYNCED_YET);
      return;
    }
    catchingUp = false;
    try {
      Resync.Report report = resync.run(pods.snapshot(), this::podChanged);
      LOG.info(report.line());
      last = report;
      resynced = true;
      lastAt = Instant.now();
      resyncs.incrementAndGet();
      lastError = null;
      restartWatch(report.revision() + 1);
      retry.reset();
      schedule(period);
    } catch (RuntimeException e) {
      if (ended(forTerm)) {
        // The lead was lost or the service is stopping (its etcd client closing under the
        // resync): nothing failed that anyone needs to hear about, and nothing is tried again.
        LOG.debugf("resync of an ended term stopped (%s)", EtcdErrors.describe(e));
        return;
      }
      lastError = EtcdErrors.describe(e);
      Duration pause = retry.next();
      LOG.warnf("resync failed (%s); trying again in %d ms", lastError, pause.toMillis());
      schedule(pause);
    }
  }

  /**
   * On the executor: whether the lead of {@code forTerm} is over (lost, or the service closing).
   */
  private boolean ended(int forTerm) {
    return !leading || forTerm != term;
  }

  /**
   * Whether the worker is still writing the first listing, and not for too long yet. The informer
   * hands its events over on a thread of its own, so the last page's pods may reach the queue just
   * after the listing counts as complete: the first check after that only starts the clock.
   */
  private boolean stillCatchingUp() {
    long now = System.nanoTime();
    if (catchUpSince == null) {
      catchUpSince = now;
      return true;
    }
    return worker.pending() > 0 && now - catchUpSince < CATCH_UP_LIMIT.toNanos();
  }

  private void restartWatch(long from) {
    closeWatch();
    int watchTerm = term;
    watch = watches.start(from, this::drifted, () -> watchBroken(watchTerm));
  }

  private void schedule(Duration delay) {
    if (next != null) {
      next.cancel(false);
    }
    next = null;
    int forTerm = term;
    try {
      next =
          executor.schedule(
              guarded(() -> resyncNow(forTerm)), delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed while a resync ran: nothing more to schedule
    }
  }

  /**
   * Runs a task on the reconciler's thread; after {@link #close()} the task is dropped, since late
   * calls (a watch breaking as etcd's client closes, the lead ending) have nothing left to do.
   */
  private void onExecutor(Runnable task) {
    try {
      executor.execute(guarded(task));
    } catch (RejectedExecutionException e) {
      LOG.debug("reconciler closed: a late call is dropped");
    }
  }

  /** On the executor: no more resyncs or watch for the ended term. */
  private void quiet() {
    term++;
    if (next != null) {
      next.cancel(false);
      next = null;
    }
    closeWatch();
  }

  private void closeWatch() {
    if (watch != null) {
      watch.close();
      watch = null;
    }
  }

  @Override
  public void close() {
    leading = false;
    worker.stop();
    onExecutor(this::quiet);
    Daemons.shutdown(executor, Duration.ofSeconds(5));
  }
}
