package io.calicowebhook.etcd;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/**
 * {@code calico.etcd.failures} ({@code calico_etcd_failures_total}), one series per {@link
 * EtcdFailure} in its {@code reason} tag, each registered at zero from the start so that a rate or
 * an alert on any reason has a series before its first failure. Registering again in the same
 * registry (the worker and the resync both count) finds the same counters.
 */
public final class EtcdFailureCounters {
  private final Map<EtcdFailure, Counter> counters = new EnumMap<>(EtcdFailure.class);

  public EtcdFailureCounters(MeterRegistry registry) {
    for (EtcdFailure reason : EtcdFailure.values()) {
      counters.put(
          reason,
          Counter.builder("calico.etcd.failures")
              .tag("reason", reason.tag())
              .description("Failed etcd transactions and reads, by why they failed")
              .register(registry));
    }
  }

  /** Counts one failed call, and says why it failed. */
  public EtcdFailure count(Throwable error) {
    EtcdFailure reason = EtcdErrors.classify(error);
    counters.get(reason).increment();
    return reason;
  }

  /** Failures counted so far for {@code reason}. */
  public double count(EtcdFailure reason) {
    return counters.get(reason).count();
  }

  /** Failures counted so far, whatever the reason. */
  public double total() {
    return counters.values().stream().mapToDouble(Counter::count).sum();
  }
}
