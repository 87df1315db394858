package io.calicowebhook.worker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calicowebhook.etcd.TxnLimits;
import io.calicowebhook.pod.PodKey;
import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.profile.DefaultPolicy;
import io.calicowebhook.profile.ProfileBuilder;
import io.calicowebhook.store.ProfileOp;
import io.calicowebhook.store.ProfileStore.Applied;
import io.calicowebhook.store.ProfileWriter;
import io.calicowebhook.store.WriteResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The worker against a store that fails in every way it can (a throw of its own, a failed future,
 * an {@link Error}, a failure handling a result): every key handed to the store comes back and is
 * written once the store heals; an {@code Error} turns the worker's liveness DOWN; a failure of an
 * earlier term never pauses the current one.
 */
class StoreFaultsTest {
  private static final Duration SOON = Duration.ofSeconds(10);
  private static final TxnLimits LIMITS = new TxnLimits(12, 1_400_000); // 4 profiles a batch

  private final FakePods pods = new FakePods();
  private final FaultyStore store = new FaultyStore();
  private ProfileWorker worker;

  @AfterEach
  void close() {
    if (worker != null) {
      worker.close();
    }
  }

  @Test
  void keysComeBackAfterTheStoreThrowsAndAreWrittenOnceItHeals() {
    store.failNext(
        3,
        ops -> {
          throw new IllegalStateException("a bug in the store");
        });
    worker = start(Duration.ofMillis(20));

    Set<String> ids = submitPods(10);

    await().atMost(SOON).until(() -> store.written().containsAll(ids));
    await().atMost(SOON).until(() -> worker.pending() == 0);
    assertTrue(store.calls() > 3, "the failing calls were followed by healed ones");
    assertTrue(worker.fatalError().isEmpty(), "a RuntimeException is not fatal");
  }

  @Test
  void keysComeBackAfterAFailedFuture() {
    store.failNext(3, ops -> CompletableFuture.failedFuture(new IllegalStateException("etcd")));
    worker = start(Duration.ofMillis(20));

    Set<String> ids = submitPods(10);

    await().atMost(SOON).until(() -> store.written().containsAll(ids));
    await().atMost(SOON).until(() -> worker.pending() == 0);
  }

  @Test
  void anErrorInTheStoreTurnsLivenessDownAndLosesNoKey() {
    store.failNext(
        1,
        ops -> {
          throw new OutOfMemoryError("building a transaction");
        });
    worker = start(Duration.ofMillis(20));

    Set<String> ids = submitPods(10);

    await().atMost(SOON).until(() -> store.written().containsAll(ids));
    await().atMost(SOON).until(() -> worker.pending() == 0);
    assertTrue(worker.fatalError().orElseThrow() instanceof OutOfMemoryError);
  }

  @Test
  void anErrorHandlingAResultGivesTheKeysBack() {
    AtomicInteger programmed = new AtomicInteger();
    PodStateSource failingOnce =
        new PodStateSource() {
          @Override
          public PodState state(PodKey key) {
            return pods.state(key);
          }

          @Override
          public void programmed(PodMeta state) {
            if (programmed.incrementAndGet() == 1) {
              throw new StackOverflowError("handling a result");
            }
          }
        };
    worker = start(Duration.ofMillis(20), failingOnce);

    PodMeta pod = pod(0);
    pods.present(pod);
    worker.submit(pod.key());

    await().atMost(SOON).until(() -> store.callsFor("p_pod-0") >= 2);
    await().atMost(SOON).until(() -> worker.pending() == 0);
    assertTrue(worker.fatalError().orElseThrow() instanceof StackOverflowError);
  }

  @Test
  void aFailureOfAnEarlierTermDoesNotPauseTheNextOne() {
    CompletableFuture<Applied> late = new CompletableFuture<>();
    store.failNext(1, ops -> late);
    worker = start(Duration.ofSeconds(20)); // a pause would hold the next write for 10-20 s

    PodMeta first = pod(0);
    pods.present(first);
    worker.submit(first.key());
    await().atMost(SOON).until(() -> store.calls() == 1);
    worker.stop();
    worker.start(); // a new term
    late.completeExceptionally(new IllegalStateException("etcd of the old term"));

    PodMeta second = pod(1);
    pods.present(second);
    worker.submit(second.key());

    await().atMost(Duration.ofSeconds(5)).until(() -> store.written().contains("p_pod-1"));
  }

  private Set<String> submitPods(int count) {
    return IntStream.range(0, count)
        .mapToObj(StoreFaultsTest::pod)
        .peek(pods::present)
        .peek(pod -> worker.submit(pod.key()))
        .map(pod -> "p_" + pod.name())
        .collect(Collectors.toSet());
  }

  private ProfileWorker start(Duration backoffMin) {
    return start(backoffMin, pods);
  }

  private ProfileWorker start(Duration backoffMin, PodStateSource source) {
    WorkerSettings settings =
        new WorkerSettings(2, backoffMin, backoffMin.multipliedBy(2), Duration.ofSeconds(5));
    ProfileWorker started =
        new ProfileWorker(
            source,
            new ProfilePlanner(new ProfileBuilder(DefaultPolicy.NS_ISOLATION), LIMITS),
            store,
            ProblemReports.logOnly(),
            settings,
            new SimpleMeterRegistry());
    started.start();
    return started;
  }

  private static PodMeta pod(int i) {
    return new PodMeta("p", "pod-" + i, "uid-" + i, Map.of(), Map.of(), false);
  }

  /** Fails its next calls as told, then writes every operation (CREATED). */
  private static final class FaultyStore implements ProfileWriter {
    private final List<Function<List<ProfileOp>, CompletableFuture<Applied>>> failures =
        new CopyOnWriteArrayList<>();
    private final Set<String> written = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> callsPerId = new ConcurrentHashMap<>();
    private final AtomicInteger calls = new AtomicInteger();

    void failNext(int times, Function<List<ProfileOp>, CompletableFuture<Applied>> failure) {
      for (int i = 0; i < times; i++) {
        failures.add(failure);
      }
    }

    @Override
    public synchronized CompletableFuture<Applied> apply(
        List<ProfileOp> ops, io.calicowebhook.store.Fence fence) {
      calls.incrementAndGet();
      ops.forEach(
          op -> callsPerId.computeIfAbsent(op.id(), id -> new AtomicInteger()).incrementAndGet());
      if (!failures.isEmpty()) {
        return failures.remove(0).apply(ops);
      }
      Map<String, WriteResult> results = new LinkedHashMap<>();
      ops.forEach(op -> results.put(op.id(), WriteResult.CREATED));
      written.addAll(results.keySet());
      return CompletableFuture.completedFuture(new Applied(results, Map.of()));
    }

    @Override
    public TxnLimits limits() {
      return LIMITS;
    }

    Set<String> written() {
      return written;
    }

    int calls() {
      return calls.get();
    }

    int callsFor(String id) {
      AtomicInteger count = callsPerId.get(id);
      return count == null ? 0 : count.get();
    }
  }
}
