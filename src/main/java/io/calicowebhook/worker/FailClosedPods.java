package io.calicowebhook.worker;

import io.calicowebhook.pod.PodKey;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The pods that have a fail-closed profile right now, by {@link PolicyProblem.Reason}, exported as
 * the gauge {@code calico_pods_fail_closed{reason}} (every reason from start-up, at zero). A pod is
 * marked when its problem is reported and cleared when it gets the profile its policy asks for or
 * goes away; at most {@link #MAX_PODS} pods are tracked (past that, new ones are not counted).
 */
@Startup
@Singleton
public class FailClosedPods {
  static final int MAX_PODS = 100_000;

  private final Map<PodKey, PolicyProblem.Reason> pods = new ConcurrentHashMap<>();
  private final Map<PolicyProblem.Reason, AtomicInteger> counts =
      new EnumMap<>(PolicyProblem.Reason.class);

  private volatile BooleanSupplier active = () -> true;

  public FailClosedPods(MeterRegistry registry) {
    for (PolicyProblem.Reason reason : PolicyProblem.Reason.values()) {
      AtomicInteger count = new AtomicInteger();
      counts.put(reason, count);
      Gauge.builder("calico.pods.fail.closed", count, c -> active.getAsBoolean() ? c.get() : 0)
          .description(
              "Pods whose profile is fail-closed (no inbound traffic) because of their policy,"
                  + " by the reason of their Warning event")
          .tag("reason", reason.name())
          .register(registry);
    }
  }

  /** The pod {@code key} has a fail-closed profile because of {@code reason}. */
  public void mark(PodKey key, PolicyProblem.Reason reason) {
    if (pods.size() >= MAX_PODS && !pods.containsKey(key)) {
      return;
    }
    pods.compute(
        key,
        (k, before) -> {
          if (before != reason) {
            counts.get(reason).incrementAndGet();
            if (before != null) {
              counts.get(before).decrementAndGet();
            }
          }
          return reason;
        });
  }

  /** The pod {@code key} got the profile its policy asks for, or is gone. */
  public void clear(PodKey key) {
    pods.computeIfPresent(
        key,
        (k, before) -> {
          counts.get(before).decrementAndGet();
          return null;
        });
  }

  /** What a resync found: exactly these pods are fail-closed, for these reasons. */
  public synchronized void replaceWith(Map<PodKey, PolicyProblem.Reason> found) {
    for (PodKey key : List.copyOf(pods.keySet())) {
      if (!found.containsKey(key)) {
        clear(key);
      }
    }
    found.forEach(this::mark);
  }

  /**
   * The gauge reports 0 while {@code writing} is false: only the writing replica's picture holds.
   */
  public void activeWhen(BooleanSupplier writing) {
    this.active = writing;
  }

  /** How many pods are fail-closed because of {@code reason}. */
  public int count(PolicyProblem.Reason reason) {
    return counts.get(reason).get();
  }
}
