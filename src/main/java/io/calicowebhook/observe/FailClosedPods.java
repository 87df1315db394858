package io.calicowebhook.observe;

import io.calicowebhook.sync.Problem;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pods that have a fail-closed profile right now, by {@link Problem.Reason}, exported as the
 * gauge {@code calico_pods_fail_closed{reason}} (every reason from start-up, at zero). A pod is
 * marked when its problem is reported and cleared when it gets the profile its policy asks for or
 * goes away; at most {@link #MAX_PODS} pods are tracked (past that, new ones are not counted).
 */
@Startup
@Singleton
public class FailClosedPods {
  static final int MAX_PODS = 100_000;

  private final Map<String, Problem.Reason> pods = new ConcurrentHashMap<>();
  private final Map<Problem.Reason, AtomicInteger> counts = new EnumMap<>(Problem.Reason.class);

  public FailClosedPods(MeterRegistry registry) {
    for (Problem.Reason reason : Problem.Reason.values()) {
      AtomicInteger count = new AtomicInteger();
      counts.put(reason, count);
      Gauge.builder("calico.pods.fail.closed", count, AtomicInteger::get)
          .description(
              "Pods whose profile is fail-closed (no inbound traffic) because of their policy,"
                  + " by the reason of their Warning event")
          .tag("reason", reason.name())
          .register(registry);
    }
  }

  /** The pod {@code key} (namespace/name) has a fail-closed profile because of {@code reason}. */
  public void mark(String key, Problem.Reason reason) {
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
  public void clear(String key) {
    pods.computeIfPresent(
        key,
        (k, before) -> {
          counts.get(before).decrementAndGet();
          return null;
        });
  }

  /** How many pods are fail-closed because of {@code reason}. */
  public int count(Problem.Reason reason) {
    return counts.get(reason).get();
  }
}
