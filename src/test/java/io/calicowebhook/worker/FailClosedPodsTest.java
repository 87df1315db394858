package io.calicowebhook.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.calicowebhook.pod.PodKey;
import io.calicowebhook.worker.PolicyProblem.Reason;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The fail-closed gauge counts pods, not reports: each pod once, under its latest reason. */
class FailClosedPodsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FailClosedPods pods = new FailClosedPods(registry);

  @Test
  void everyReasonIsExportedFromStartAtZero() {
    for (Reason reason : Reason.values()) {
      assertEquals(0.0, gauge(reason));
    }
  }

  @Test
  void countsEachPodOnceUnderItsLatestReasonUntilCleared() {
    pods.mark(k("shop/a"), Reason.InvalidCalicoPolicy);
    pods.mark(k("shop/a"), Reason.InvalidCalicoPolicy);
    pods.mark(k("shop/b"), Reason.InvalidCalicoPolicy);
    assertEquals(2.0, gauge(Reason.InvalidCalicoPolicy));
    pods.mark(k("shop/a"), Reason.CalicoProfileTooLarge);
    assertEquals(1.0, gauge(Reason.InvalidCalicoPolicy));
    assertEquals(1.0, gauge(Reason.CalicoProfileTooLarge));
    pods.clear(k("shop/a"));
    pods.clear(k("shop/a"));
    pods.clear(k("shop/never-marked"));
    assertEquals(0.0, gauge(Reason.CalicoProfileTooLarge));
    assertEquals(1.0, gauge(Reason.InvalidCalicoPolicy));
  }

  @Test
  void tracksAtMostMaxPods() {
    for (int i = 0; i < FailClosedPods.MAX_PODS + 10; i++) {
      pods.mark(k("ns/pod-" + i), Reason.InvalidCalicoPolicy);
    }
    assertEquals(FailClosedPods.MAX_PODS, pods.count(Reason.InvalidCalicoPolicy));
  }

  @Test
  void concurrentMarksAndClearsOfTheSamePodsLeaveCountsThatMatchThePods() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int seed = t;
        done.add(
            threads.submit(
                () -> {
                  for (int i = 0; i < 20_000; i++) {
                    String key = "ns/pod-" + ((i * 7 + seed) % 50);
                    switch ((i + seed) % 3) {
                      case 0 -> pods.mark(k(key), Reason.InvalidCalicoPolicy);
                      case 1 -> pods.mark(k(key), Reason.CalicoProfileTooLarge);
                      default -> pods.clear(k(key));
                    }
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      threads.shutdownNow();
    }
    for (int i = 0; i < 50; i++) {
      pods.clear(k("ns/pod-" + i));
    }
    for (Reason reason : Reason.values()) {
      assertEquals(0, pods.count(reason), reason.name());
    }
  }

  @Test
  void aResyncReplacesThePictureWithWhatItFound() {
    pods.mark(k("shop/gone"), Reason.InvalidCalicoPolicy);
    pods.mark(k("shop/fixed"), Reason.CalicoProfileTooLarge);
    pods.mark(k("shop/still"), Reason.InvalidCalicoPolicy);
    pods.replaceWith(
        Map.of(
            k("shop/still"), Reason.InvalidCalicoPolicy,
            k("shop/new"), Reason.CalicoProfileTooLarge));
    assertEquals(1.0, gauge(Reason.InvalidCalicoPolicy));
    assertEquals(1.0, gauge(Reason.CalicoProfileTooLarge));
    pods.clear(k("shop/new"));
    assertEquals(0.0, gauge(Reason.CalicoProfileTooLarge));
  }

  @Test
  void aReplicaThatDoesNotWriteReportsNone() {
    boolean[] writing = {false};
    pods.activeWhen(() -> writing[0]);
    pods.mark(k("shop/a"), Reason.InvalidCalicoPolicy);
    assertEquals(0.0, gauge(Reason.InvalidCalicoPolicy));
    writing[0] = true;
    assertEquals(1.0, gauge(Reason.InvalidCalicoPolicy));
  }

  private static PodKey k(String key) {
    String[] parts = key.split("/", 2);
    return new PodKey(parts[0], parts[1]);
  }

  private double gauge(Reason reason) {
    return registry.get("calico.pods.fail.closed").tag("reason", reason.name()).gauge().value();
  }
}
