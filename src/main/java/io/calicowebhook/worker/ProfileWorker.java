package io.calicowebhook.worker;

import io.calicowebhook.etcd.EtcdErrors;
import io.calicowebhook.etcd.EtcdFailure;
import io.calicowebhook.etcd.TxnLimits;
import io.calicowebhook.pod.PodKey;
import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.profile.Escaping;
import io.calicowebhook.store.Fence;
import io.calicowebhook.store.FenceLostException;
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
import java.util.function.Consumer;
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
 * once). Each start begins a term with the {@link Fence} it writes under; every batch carries its
 * term, so that the late result of a batch of an earlier term (queued, retried or split before the
 * stop) neither pauses nor stops the current one. A transaction refused for a lost fence stops the
 * worker at once and is reported to the fence-lost listener. The dispatcher never dies silently:
 * any throwable is logged and it goes on; an {@link Error} is also kept in {@link #fatalError()},
 * which turns liveness DOWN so that Kubernetes restarts the pod.
 *
 * <p>Every key handed to the store comes back to the queue exactly once, however the work ends: a
 * result, a failed future, a throw of the store or of a stage of the chain, a preparer pool that
 * refuses the batch.
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

  /** Pods whose profile etcd refused as too large, with the pod and policy it was refused for. */
  private final Map<PodKey, OversizedMark> oversized = new ConcurrentHashMap<>();

  private final Set<String> foreignLogged = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService retryTimer;
  private final ExecutorService preparers;
  private volatile Thread dispatcher;
  private volatile boolean running;
  private volatile Throwable fatal;
  private volatile Fence fence = Fence.NONE;
  private final AtomicLong term = new AtomicLong();
  private volatile Consumer<FenceLostException> onFenceLost = lost -> {};
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

  /** Starts the dispatcher thread without a fence (the only writer), unless it runs. */
  public void start() {
    start(Fence.NONE);
  }

  /**
   * Starts a term: the dispatcher writes under {@code fence} until {@link #stop()}; a running
   * dispatcher goes on under the new fence.
   */
  public synchronized void start(Fence fence) {
    this.fence = fence;
    term.incrementAndGet();
    oversized.clear(); // a new term tries every full profile again
    synchronized (backoff) {
      backoff.reset(); // a pause chosen in an earlier term does not hold this one back
      resumeAt = System.nanoTime();
    }
    if (running) {
      return;
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

  /** Who hears of a write refused because another replica took the lead (then this one stops). */
  public void onFenceLost(Consumer<FenceLostException> listener) {
    this.onFenceLost = listener;
  }

  /** The fence of the current term. */
  public Fence fence() {
    return fence;
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
    Batch keys = new Batch(batch, System.nanoTime(), term.get(), fence);
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
    return applied(jobs, dispatched.fence())
        .handle(
            (applied, error) -> {
              try {
                if (error == null) {
                  succeeded(jobs, applied);
                } else if (EtcdErrors.unwrap(error) instanceof FenceLostException lost) {
                  fenceLost(jobs, lost, dispatched);
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
  private CompletableFuture<Applied> applied(List<Job> jobs, Fence fence) {
    try {
      return store.apply(jobs.stream().map(Job::op).toList(), fence);
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
    if (state instanceof PodState.Gone gone) {
      problems.forget(key);
      oversized.remove(key);
      String id = Escaping.profileId(key.namespace(), key.name());
      return Optional.of(new Job(batch, entry, null, new ProfileOp.Remove(id, gone.uid())));
    }
    batch.done(key);
    return Optional.empty();
  }

  private Job jobFor(Batch batch, Entry<PodKey> entry, PodMeta pod) {
    boolean refused = stillOversized(entry.key(), pod);
    Desire desire =
        refused
            ? desired.closed(pod, PolicyProblem.refusedAsTooLarge(ProfilePlanner.policy(pod)))
            : desired.desire(pod);
    if (desire instanceof Write write) {
      write
          .problem()
          .ifPresentOrElse(problem -> counted(pod, problem), () -> problems.forget(pod.key()));
      return new Job(batch, entry, pod, new ProfileOp.Put(write.profile()), !refused);
    }
    problems.forget(pod.key());
    String id = Escaping.profileId(pod.namespace(), pod.name());
    return new Job(batch, entry, pod, new ProfileOp.Remove(id));
  }

  /** Whether etcd refused this very pod and policy as too large; forgets it once either changed. */
  private boolean stillOversized(PodKey key, PodMeta pod) {
    OversizedMark mark = oversized.get(key);
    if (mark == null) {
      return false;
    }
    if (mark.equals(OversizedMark.of(pod))) {
      return true;
    }
    oversized.remove(key, mark);
    return false;
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
        if (job.full()) {
          oversized.remove(job.entry().key()); // etcd took the full profile after all
        }
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
    if (job.full()) { // counted when the fail-closed profile is prepared
      oversized.put(job.entry().key(), OversizedMark.of(job.pod()));
      PodLog.with(
          job.entry().key(),
          () ->
              LOG.errorf(
                  "pod %s: etcd refused its profile as too large although it is within"
                      + " calico.etcd.max-txn-bytes (%d): lower that setting below etcd's"
                      + " --max-request-bytes; writing the profile fail-closed",
                  job.entry().key(), store.limits().maxBytes()));
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
    PodLog.with(
        key,
        () ->
            LOG.warnf(
                "pod %s: etcd refused its profile on its own (%s); next attempt in %d ms",
                key, why, delay.toMillis()));
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

  /**
   * Another replica took the lead: nothing of the batch was written. The keys go back (a later term
   * of this replica writes them from the state then); the current term stops at once.
   */
  private void fenceLost(List<Job> jobs, FenceLostException lost, Batch dispatched) {
    jobs.forEach(job -> dispatched.retry(job.entry()));
    if (!term.compareAndSet(dispatched.term(), dispatched.term() + 1)) {
      return; // a batch of an earlier term, or another batch of this one told it already
    }
    metrics.fenceLost.increment();
    LOG.errorf("%s: this replica stops writing to etcd", lost.getMessage());
    running = false; // no new batch from now on; stopping waits for the dispatcher, so not here
    try {
      retryTimer.execute( // off etcd's callback thread, which must never wait
          () -> {
            stop();
            onFenceLost.accept(lost);
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.debug("worker closed: the lost fence needs no more action");
    }
  }

  /**
   * The store failed the whole call: etcd-wide ({@link EtcdFailure}, e.g. its quota full), so every
   * key goes back to the queue and nothing is written fail-closed.
   */
  private void failed(List<Job> jobs, Throwable error, Batch dispatched) {
    EtcdFailure reason = metrics.failures.count(error);
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
          "etcd write of %d profiles failed, %s (%s); %d pending, next attempt in %d ms",
          jobs.size(), reason.tag(), EtcdErrors.describe(error), queue.size(), pause.toMillis());
    }
  }

  private void finish(Job job) {
    if (job.pod() != null) {
      pods.programmed(job.pod());
    } else {
      pods.removed(job.entry().key());
    }
    job.batch().done(job.entry().key());
  }

  private void logForeign(Job job) {
    String id = job.op().id();
    if (foreignLogged.size() < FOREIGN_LOG_LIMIT && foreignLogged.add(id)) {
      PodLog.with(
          job.entry().key(),
          () ->
              LOG.warnf(
                  "pod %s: profile %s exists in etcd and was not created by this service;"
                      + " left untouched",
                  job.entry().key(), id));
    }
  }

  private void retryLater(Batch batch, Entry<PodKey> entry) {
    batch.done(entry.key());
    retryTimer.schedule(
        () -> submit(entry.key()), settings.backoffMax().toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * One pod's operation; {@code pod} is null when it is gone; {@code full} when it puts the profile
   * the planner desires, not one closed because etcd refused that as too large.
   */
  private record Job(Batch batch, Entry<PodKey> entry, PodMeta pod, ProfileOp op, boolean full) {
    Job(Batch batch, Entry<PodKey> entry, PodMeta pod, ProfileOp op) {
      this(batch, entry, pod, op, false);
    }
  }

  /** What etcd refused as too large: this pod (by uid) with this policy. */
  private record OversizedMark(String uid, String policy) {
    static OversizedMark of(PodMeta pod) {
      return new OversizedMark(pod.uid(), ProfilePlanner.policy(pod));
    }
  }

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
    private final Fence fence;

    Batch(List<Entry<PodKey>> entries, long at, long term, Fence fence) {
      this.entries = entries;
      this.at = at;
      this.term = term;
      this.fence = fence;
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

    /** The fence of that term. */
    Fence fence() {
      return fence;
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
