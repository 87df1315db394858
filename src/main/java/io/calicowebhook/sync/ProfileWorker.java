package io.calicowebhook.sync;

import io.calicowebhook.etcd.DesiredProfile;
import io.calicowebhook.etcd.Owner;
import io.calicowebhook.etcd.ProfileStore;
import io.calicowebhook.etcd.WriteResult;
import io.calicowebhook.profile.InvalidPolicyException;
import io.calicowebhook.profile.PodKey;
import io.calicowebhook.profile.PodMeta;
import io.calicowebhook.profile.Profile;
import io.calicowebhook.profile.ProfileBuilder;
import io.calicowebhook.sync.CoalescingQueue.Entry;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Programs pods' profiles into etcd in the background. {@link #submit} only queues the pod's key;
 * one dispatcher thread takes up to a transaction's worth of keys at a time, reads each pod's
 * current state from the {@link PodStateSource}, builds the profile and hands the group to the
 * {@link ProfileStore} asynchronously, with up to {@code inFlight} groups in flight.
 *
 * <p>When etcd fails, the group's keys go back to the queue and the dispatcher pauses with
 * exponential backoff and jitter; nothing is dropped. Host-network pods get no profile; a pod whose
 * policy does not parse is skipped, since Felix would reject the whole profile.
 */
public final class ProfileWorker {
  private static final Logger LOG = Logger.getLogger(ProfileWorker.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final int FOREIGN_LOG_LIMIT = 10_000;

  private final PodStateSource pods;
  private final ProfileBuilder builder;
  private final ProfileStore store;
  private final WorkerMetrics metrics;
  private final CoalescingQueue<PodKey> queue = new CoalescingQueue<>();
  private final Semaphore permits;
  private final Backoff backoff;
  private final Set<String> foreignLogged = ConcurrentHashMap.newKeySet();
  private final Thread dispatcher = new Thread(this::run, "profile-worker");
  private volatile boolean running;
  private long resumeAt = System.nanoTime();
  private long lastFailure = resumeAt;

  public ProfileWorker(
      PodStateSource pods,
      ProfileBuilder builder,
      ProfileStore store,
      WorkerSettings settings,
      MeterRegistry registry) {
    this.pods = pods;
    this.builder = builder;
    this.store = store;
    this.permits = new Semaphore(settings.inFlight());
    this.backoff = new Backoff(settings.backoffMin(), settings.backoffMax(), new Random());
    this.metrics = new WorkerMetrics(registry, queue);
    dispatcher.setDaemon(true);
  }

  /** Queues {@code key} for writing; returns at once. */
  public void submit(PodKey key) {
    queue.offer(key);
  }

  /** Profiles pending or being written. */
  public int pending() {
    return queue.size();
  }

  /** Starts the dispatcher thread. */
  public void start() {
    running = true;
    dispatcher.start();
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
    stop();
    if (!drained) {
      LOG.warnf("shutdown: %d profiles were not written to etcd within %s", queue.size(), timeout);
    }
    return drained;
  }

  /** Stops the dispatcher; writes in flight finish on their own. */
  public void stop() {
    running = false;
    dispatcher.interrupt();
    try {
      dispatcher.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    while (running) {
      try {
        dispatchOnce();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.error("profile worker: unexpected error, continuing", e);
      }
    }
  }

  private void dispatchOnce() throws InterruptedException {
    pauseWhileBackingOff();
    permits.acquire();
    List<Entry<PodKey>> batch;
    try {
      batch = queue.take(store.profilesPerTxn(), POLL);
    } catch (InterruptedException | RuntimeException e) {
      permits.release();
      throw e;
    }
    if (batch.isEmpty()) {
      permits.release();
      return;
    }
    write(batch, System.nanoTime()).whenComplete((done, error) -> permits.release());
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

  private CompletableFuture<Void> write(List<Entry<PodKey>> batch, long dispatched) {
    List<Job> jobs = new ArrayList<>();
    for (Entry<PodKey> entry : batch) {
      prepare(entry).ifPresent(jobs::add);
    }
    if (jobs.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    List<DesiredProfile> desired = jobs.stream().map(Job::desired).toList();
    return store
        .write(desired)
        .handle(
            (results, error) -> {
              if (error == null) {
                succeeded(jobs, results);
              } else {
                failed(jobs, error, dispatched);
              }
              return null;
            });
  }

  /** The job for {@code entry}, or empty when the pod needs no write (already finished). */
  private Optional<Job> prepare(Entry<PodKey> entry) {
    Optional<PodMeta> state = pods.get(entry.key());
    if (state.isEmpty()) {
      queue.done(entry.key());
      return Optional.empty();
    }
    PodMeta pod = state.get();
    try {
      Optional<Profile> profile = builder.build(pod);
      if (profile.isPresent()) {
        Owner owner = new Owner(pod.uid(), pod.namespace(), pod.name());
        return Optional.of(new Job(entry, pod, DesiredProfile.of(profile.get(), owner)));
      }
    } catch (InvalidPolicyException e) {
      metrics.invalid.increment();
      LOG.warnf("pod %s: policy does not parse, no profile written: %s", entry.key(), reasons(e));
    } catch (RuntimeException e) {
      metrics.invalid.increment();
      LOG.errorf(e, "pod %s: cannot build its profile, none written", entry.key());
    }
    finish(entry.key(), pod);
    return Optional.empty();
  }

  private void succeeded(List<Job> jobs, Map<String, WriteResult> results) {
    synchronized (backoff) {
      backoff.reset();
      resumeAt = System.nanoTime();
    }
    long now = System.nanoTime();
    for (Job job : jobs) {
      WriteResult result = results.get(job.desired().id());
      metrics.count(result);
      if (result == WriteResult.FOREIGN) {
        logForeign(job);
      } else {
        metrics.programmed.record(now - job.entry().since(), TimeUnit.NANOSECONDS);
      }
      finish(job.entry().key(), job.pod());
    }
  }

  private void failed(List<Job> jobs, Throwable error, long dispatched) {
    metrics.failures.increment();
    metrics.retries.increment(jobs.size());
    jobs.forEach(job -> queue.retry(job.entry()));
    synchronized (backoff) {
      if (dispatched - lastFailure < 0) {
        return; // sent before the last failure was seen: that one already chose the pause
      }
      Duration pause = backoff.next();
      lastFailure = System.nanoTime();
      resumeAt = lastFailure + pause.toNanos();
      LOG.warnf(
          "etcd write of %d profiles failed (%s); %d pending, next attempt in %d ms",
          jobs.size(), rootMessage(error), queue.size(), pause.toMillis());
    }
  }

  private void finish(PodKey key, PodMeta pod) {
    pods.programmed(pod);
    queue.done(key);
  }

  private void logForeign(Job job) {
    String id = job.desired().id();
    if (foreignLogged.size() < FOREIGN_LOG_LIMIT && foreignLogged.add(id)) {
      LOG.warnf(
          "pod %s: profile %s exists in etcd and was not created by this service; left untouched",
          job.entry().key(), id);
    }
  }

  private static String reasons(InvalidPolicyException e) {
    List<String> messages = new ArrayList<>();
    e.errors().forEach(error -> messages.add(safeMessage(error::message)));
    return messages.isEmpty() ? e.getMessage() : String.join("; ", messages);
  }

  private static String safeMessage(java.util.function.Supplier<String> message) {
    try {
      return message.get();
    } catch (RuntimeException e) {
      return String.valueOf(e);
    }
  }

  private static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  private record Job(Entry<PodKey> entry, PodMeta pod, DesiredProfile desired) {}
}
