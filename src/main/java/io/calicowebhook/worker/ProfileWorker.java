package io.calicowebhook.worker;

import io.calicowebhook.etcd.EtcdErrors;
import io.calicowebhook.etcd.TxnLimits;
import io.calicowebhook.pod.PodKey;
import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.profile.Escaping;
import io.calicowebhook.store.ProfileOp;
import io.calicowebhook.store.ProfileStore;
import io.calicowebhook.store.ProfileStore.Applied;
import io.calicowebhook.store.ProfileWriter;
import io.calicowebhook.store.WriteResult;
import io.calicowebhook.worker.CoalescingQueue.Entry;
import io.calicowebhook.worker.ProfilePlanner.Desire;
import io.calicowebhook.worker.ProfilePlanner.Write;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Programs pods' profiles into etcd in the background. {@link #submit} only queues the pod's key;
 * one dispatcher thread takes up to a transaction's worth of keys at a time; a preparing thread (as
 * many as cores, at most {@code inFlight}) reads each pod's current state from the {@link
 * PodStateSource}, builds its profile and hands the group to the {@link ProfileStore}
 * asynchronously, with up to {@code inFlight} groups in flight:
 *
 * <ul>
 *   <li>present: the pod's desired profile ({@link ProfilePlanner}: fail-closed when its policy
 *       does not parse or is too large, with the problem reported once);
 *   <li>gone (or present without a profile, a host-network pod): its owned profile is deleted;
 *   <li>not known: nothing.
 * </ul>
 *
 * <p>When etcd fails, the group's keys go back to the queue and the dispatcher pauses with
 * exponential backoff and jitter; nothing is dropped. A profile that etcd refuses on its own
 * (isolated from its group by the store) is retried later on its own schedule, so it never holds
 * the others back.
 *
 * <p>The worker can be started and stopped again (a replica that loses leadership stops writing at
 * once). The dispatcher never dies silently: any throwable is logged and it goes on; an {@link
 * Error} is also kept in {@link #fatalError()}, which turns liveness DOWN so that Kubernetes
 * restarts the pod.
 *
 * <p>Every key handed to the store comes back to the queue exactly once, however the work ends: a
 * result, a failed future, a throw of the store or of a stage of the chain, a preparer pool that
 * refuses the batch. Each batch carries the term ({@link #start}, {@link #stop}) it was dispatched
 * in: the failure of an older term never pauses the current one.
 */
public final class ProfileWorker {
  private static final Logger LOG = Logger.getLogger(ProfileWorker.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final int FOREIGN_LOG_LIMIT = 10_000;

  private final PodStateSource pods;
  private final ProfilePlanner desired;
  private final ProfileWriter store;
  private final ProblemReports problems;
  private final WorkerSettings settings;
  private final WorkerMetrics metrics;
  private final CoalescingQueue<PodKey> queue = new CoalescingQueue<>();
  private final Semaphore permits;
  private final Backoff backoff;
  private final Map<PodKey, Integer> failedAttempts = new ConcurrentHashMap<>();
  private final Set<PodKey> oversized = ConcurrentHashMap.newKeySet();
  private final Set<String> foreignLogged = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService retryTimer;
  private final ExecutorService preparers;
  private volatile Thread dispatcher;
  private volatile boolean running;
  private volatile Throwable fatal;
  private final AtomicLong term = new AtomicLong();
  private long resumeAt = System.nanoTime();
  private long lastFailure = resumeAt;

  public ProfileWorker(
      PodStateSource pods,
      ProfilePlanner desired,
      ProfileWriter store,
      ProblemReports problems,
      WorkerSettings settings,
      io.micrometer.core.instrument.MeterRegistry registry) {
    this.pods = pods;
    this.desired = desired;
    this.store = store;
    this.problems = problems;
    this.settings = settings;
    this.permits = new Semaphore(settings.inFlight());
    this.backoff = new Backoff(settings.backoffMin(), settings.backoffMax(), new Random());
    this.metrics = new WorkerMetrics(registry, queue);
    this.preparers =
        Executors.newFixedThreadPool(
            Math.max(1, Math.min(settings.inFlight(), Runtime.getRuntime().availableProcessors())),
            Daemons.named("profile-prepare"));
    this.retryTimer =
        Executors.newSingleThreadScheduledExecutor(Daemons.named("profile-worker-retry"));
  }

  /** Queues {@code key} for writing; returns at once. */
  public void submit(PodKey key) {
    queue.offer(key);
  }

  /** Profiles pending or being written. */
  public int pending() {
    return queue.size();
  }

  /** Whether the dispatcher runs (started and not stopped). */
  public boolean running() {
    return running;
  }

  /** The {@link Error} the dispatcher caught, if any: the process should be restarted. */
  public Optional<Throwable> fatalError() {
    return Optional.ofNullable(fatal);
  }

  /** Whether the dispatcher thread is alive when it should be. */
  public boolean dispatcherAlive() {
    Thread thread = dispatcher;
    return !running || (thread != null && thread.isAlive());
  }

  /** Starts the dispatcher thread, unless it runs. */
  public synchronized void start() {
    if (running) {
      return;
    }
    term.incrementAndGet();
    synchronized (backoff) {
      backoff.reset(); // a pause chosen in an earlier term does not hold this one back
      resumeAt = System.nanoTime();
    }
    running = true;
    Thread thread = new Thread(this::run, "profile-worker");
    thread.setDaemon(true);
    dispatcher = thread;
    thread.start();
  }

  /**
   * Stops the dispatcher at once and forgets what is pending: no new transaction is sent (one in
   * flight finishes on its own). For a replica that lost leadership: the next leader resyncs.
   */
  public synchronized void stop() {
    running = false;
    term.incrementAndGet();
    Thread thread = dispatcher;
    dispatcher = null;
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    queue.clear();
    failedAttempts.clear();
  }

  /**
   * Waits up to {@code timeout} for every pending profile to be written, then stops.
   *
   * @return whether everything was written
   */
  public boolean drain(Duration timeout) {
    boolean drained;
    try {
      drained = queue.awaitEmpty(timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      drained = false;
    }
    int left = queue.size();
    stop();
    if (!drained) {
      LOG.warnf("shutdown: %d profiles were not written to etcd within %s", left, timeout);
    }
    return drained;
  }

  /** Stops the dispatcher and the retry timer for good. */
  public void close() {
    stop();
    retryTimer.shutdownNow();
    preparers.shutdownNow();
  }

  private void run() {
    while (running) {
      try {
        dispatchOnce();
      } catch (InterruptedException e) {
        Thread.interrupted(); // stop() interrupts; otherwise go on
      } catch (Throwable e) { // NOPMD: the dispatcher must never die silently
        unexpected("profile worker: unexpected failure, continuing", e);
        pause(settings.backoffMin());
      }
    }
  }

  private void unexpected(String what, Throwable e) {
    if (e instanceof Error) {
      fatal = e;
      LOG.errorf(e, "%s; liveness is DOWN so that the pod is restarted", what);
    } else {
      LOG.error(what, e);
    }
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void dispatchOnce() throws InterruptedException {
    pauseWhileBackingOff();
    permits.acquire();
    List<Entry<PodKey>> batch;
    try {
      batch = queue.take(store.limits().maxOps() / TxnLimits.PUT_OPS, POLL);
    } catch (InterruptedException | RuntimeException e) {
      permits.release();
      throw e;
    }
    if (batch.isEmpty()) {
      permits.release();
      return;
    }
    Batch keys = new Batch(batch, System.nanoTime(), term.get());
    try {
      write(keys).whenComplete((done, error) -> settle(keys, error));
    } catch (Throwable e) { // NOPMD: give the permit and the keys back, then report
      permits.release();
      keys.retryRest();
      throw e;
    }
  }

  /**
   * The end of a batch's chain: keys that nothing handed back yet (a stage threw) are queued again,
   * and an {@link Error} turns liveness DOWN.
   */
  private void settle(Batch batch, Throwable error) {
    try {
      if (error != null) {
        unexpected("profile worker: a batch ended in a failure", EtcdErrors.unwrap(error));
      }
      batch.retryRest();
    } finally {
      permits.release();
    }
  }

  private void pauseWhileBackingOff() throws InterruptedException {
    long wait;
    synchronized (backoff) {
      wait = resumeAt - System.nanoTime();
    }
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }

  /**
   * Prepares the batch on a preparing thread (building profiles parses policies and writes JSON,
   * which would otherwise hold up the dispatcher) and hands it to the store.
   */
  private CompletableFuture<Void> write(Batch batch) {
    return CompletableFuture.supplyAsync(() -> prepareAll(batch), preparers)
        .thenCompose(jobs -> apply(jobs, batch));
  }

  private List<Job> prepareAll(Batch batch) {
    List<Job> jobs = new ArrayList<>();
    for (Entry<PodKey> entry : batch.entries()) {
      try {
        prepare(batch, entry).ifPresent(jobs::add);
      } catch (Throwable e) { // NOPMD: one pod's failure must not stop the others
        unexpected("pod " + entry.key() + ": cannot prepare its profile; trying again later", e);
        retryLater(batch, entry);
      }
    }
    return jobs;
  }

  private CompletableFuture<Void> apply(List<Job> jobs, Batch dispatched) {
    if (jobs.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    return applied(jobs)
        .handle(
            (applied, error) -> {
              try {
                if (error == null) {
                  succeeded(jobs, applied);
                } else {
                  failed(jobs, error, dispatched);
                }
              } catch (Throwable e) { // NOPMD: keys must never stay in flight forever
                unexpected("profile worker: failure handling a result", e);
                jobs.forEach(job -> dispatched.retry(job.entry()));
              }
              return null;
            });
  }

  /** The store's answer; a throw of its own (a bug, an {@link Error}) is a failed answer. */
  private CompletableFuture<Applied> applied(List<Job> jobs) {
    try {
      return store.apply(jobs.stream().map(Job::op).toList());
    } catch (Throwable e) { // NOPMD: the keys come back through the failure path
      if (e instanceof Error) {
        unexpected("profile worker: the store threw", e);
      }
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The job for {@code entry}, or empty when the pod needs no write (already finished). */
  private Optional<Job> prepare(Batch batch, Entry<PodKey> entry) {
    PodKey key = entry.key();
    PodState state = pods.state(key);
    if (state instanceof PodState.Present present) {
      return Optional.of(jobFor(batch, entry, present.pod()));
    }
    if (state instanceof PodState.Gone) {
      problems.forget(key);
      oversized.remove(key);
      String id = Escaping.profileId(key.namespace(), key.name());
      return Optional.of(new Job(batch, entry, null, new ProfileOp.Remove(id)));
    }
    batch.done(key);
    return Optional.empty();
  }

  private Job jobFor(Batch batch, Entry<PodKey> entry, PodMeta pod) {
    Desire desire =
        oversized.contains(entry.key())
            ? desired.closed(pod, PolicyProblem.refusedAsTooLarge(ProfilePlanner.policy(pod)))
            : desired.desire(pod);
    if (desire instanceof Write write) {
      write
          .problem()
          .ifPresentOrElse(problem -> counted(pod, problem), () -> problems.forget(pod.key()));
      return new Job(batch, entry, pod, new ProfileOp.Put(write.profile()));
    }
    String id = Escaping.profileId(pod.namespace(), pod.name());
    return new Job(batch, entry, pod, new ProfileOp.Remove(id));
  }

  private void counted(PodMeta pod, PolicyProblem problem) {
    if (problem.reason() == PolicyProblem.Reason.InvalidCalicoPolicy) {
      metrics.invalid.increment();
    } else {
      metrics.tooLarge.increment();
    }
    problems.report(pod, problem);
  }

  private void succeeded(List<Job> jobs, Applied applied) {
    synchronized (backoff) {
      backoff.reset();
      resumeAt = System.nanoTime();
    }
    long now = System.nanoTime();
    for (Job job : jobs) {
      WriteResult result = applied.results().get(job.op().id());
      if (result == WriteResult.FAILED) {
        isolatedFailure(job, applied.failures().get(job.op().id()));
        continue;
      }
      if (result == WriteResult.TOO_LARGE && job.op() instanceof ProfileOp.Put) {
        refusedAsTooLarge(job);
        continue;
      }
      if (metrics.count(result)) {
        metrics.programmed.record(now - job.entry().since(), TimeUnit.NANOSECONDS);
      } else if (result == WriteResult.FOREIGN) {
        logForeign(job);
      }
      failedAttempts.remove(job.entry().key());
      finish(job);
    }
  }

  /**
   * etcd refused a profile that fits the configured byte limit: its own limit is lower. The pod is
   * written again fail-closed; the operator should lower {@code calico.etcd.max-txn-bytes}.
   */
  private void refusedAsTooLarge(Job job) {
    if (oversized.add(job.entry().key())) { // counted when the fail-closed profile is prepared
      LOG.errorf(
          "pod %s: etcd refused its profile as too large although it is within"
              + " calico.etcd.max-txn-bytes (%d): lower that setting below etcd's"
              + " --max-request-bytes; writing the profile fail-closed",
          job.entry().key(), store.limits().maxBytes());
      job.batch().retry(job.entry());
    } else {
      metrics.tooLarge.increment(); // even the fail-closed profile was refused
      finish(job);
    }
  }

  private void isolatedFailure(Job job, String why) {
    metrics.retries.increment();
    PodKey key = job.entry().key();
    int attempts = failedAttempts.merge(key, 1, Integer::sum);
    Duration delay = retryDelay(attempts);
    LOG.warnf(
        "pod %s: etcd refused its profile on its own (%s); next attempt in %d ms",
        key, why, delay.toMillis());
    job.batch().done(key);
    retryTimer.schedule(() -> submit(key), delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private Duration retryDelay(int attempts) {
    Duration delay = settings.backoffMin();
    for (int i = 1; i < attempts && delay.compareTo(settings.backoffMax()) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(settings.backoffMax()) > 0 ? settings.backoffMax() : delay;
  }

  private void failed(List<Job> jobs, Throwable error, Batch dispatched) {
    metrics.failures.increment();
    metrics.retries.increment(jobs.size());
    jobs.forEach(job -> dispatched.retry(job.entry()));
    synchronized (backoff) {
      if (dispatched.term() != term.get()) {
        return; // sent in an earlier term: it does not pause this one
      }
      if (dispatched.at() - lastFailure < 0) {
        return; // sent before the last failure was seen: that one already chose the pause
      }
      Duration pause = backoff.next();
      lastFailure = System.nanoTime();
      resumeAt = lastFailure + pause.toNanos();
      LOG.warnf(
          "etcd write of %d profiles failed (%s); %d pending, next attempt in %d ms",
          jobs.size(), EtcdErrors.describe(error), queue.size(), pause.toMillis());
    }
  }

  private void finish(Job job) {
    if (job.pod() != null) {
      pods.programmed(job.pod());
    }
    job.batch().done(job.entry().key());
  }

  private void logForeign(Job job) {
    String id = job.op().id();
    if (foreignLogged.size() < FOREIGN_LOG_LIMIT && foreignLogged.add(id)) {
      LOG.warnf(
          "pod %s: profile %s exists in etcd and was not created by this service; left untouched",
          job.entry().key(), id);
    }
  }

  private void retryLater(Batch batch, Entry<PodKey> entry) {
    batch.done(entry.key());
    retryTimer.schedule(
        () -> submit(entry.key()), settings.backoffMax().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One pod's operation; {@code pod} is null when it is gone. */
  private record Job(Batch batch, Entry<PodKey> entry, PodMeta pod, ProfileOp op) {}

  /**
   * The keys of one dispatched batch, each handed back to the queue exactly once: the first of
   * {@link #done}, {@link #retry} and {@link #retryRest} for a key counts, later ones do nothing,
   * so a key finished and already taken again by a newer batch is never queued twice.
   */
  private final class Batch {
    private final Map<PodKey, Entry<PodKey>> open = new LinkedHashMap<>();
    private final List<Entry<PodKey>> entries;
    private final long at;
    private final long term;

    Batch(List<Entry<PodKey>> entries, long at, long term) {
      this.entries = entries;
      this.at = at;
      this.term = term;
      entries.forEach(entry -> open.put(entry.key(), entry));
    }

    List<Entry<PodKey>> entries() {
      return entries;
    }

    /** When it was dispatched ({@link System#nanoTime()}). */
    long at() {
      return at;
    }

    /** The worker's term when it was dispatched. */
    long term() {
      return term;
    }

    void done(PodKey key) {
      if (close(key)) {
        queue.done(key);
      }
    }

    void retry(Entry<PodKey> entry) {
      if (close(entry.key())) {
        queue.retry(entry);
      }
    }

    /** Queues again every key not handed back yet. */
    void retryRest() {
      List<Entry<PodKey>> rest;
      synchronized (open) {
        rest = List.copyOf(open.values());
        open.clear();
      }
      rest.forEach(queue::retry);
    }

    private boolean close(PodKey key) {
      synchronized (open) {
        return open.remove(key) != null;
      }
    }
  }
}
