package io.calicowebhook.worker;

import io.calicowebhook.etcd.EtcdFailureCounters;
import io.calicowebhook.pod.PodKey;
import io.calicowebhook.store.WriteResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** The worker's meters; names in the README's etcd section. */
final class WorkerMetrics {
  final Counter created;
  final Counter updated;
  final Counter deleted;
  final Counter unchanged;
  final Counter foreign;
  final Counter invalid;
  final Counter tooLarge;
  final Counter retries;
  final EtcdFailureCounters failures;
  final Timer programmed;
  final Counter fenceLost;

  WorkerMetrics(MeterRegistry registry, CoalescingQueue<PodKey> queue) {
    Gauge.builder("calico.profiles.pending", queue, CoalescingQueue::size)
        .description("Profiles waiting to be written to etcd or being written")
        .register(registry);
    created = written(registry, "created");
    updated = written(registry, "updated");
    deleted =
        Counter.builder("calico.profiles.deleted")
            .description("Owned profiles deleted because their pod is gone or needs none")
            .register(registry);
    unchanged = skipped(registry, "unchanged", "stored value already desired");
    foreign = skipped(registry, "foreign", "not created by this service");
    invalid = skipped(registry, "invalid", "policy does not parse; written fail-closed instead");
    tooLarge =
        skipped(registry, "too_large", "larger than one etcd transaction; written fail-closed");
    retries =
        Counter.builder("calico.profiles.retries")
            .description("Profiles queued again after a failed etcd transaction")
            .register(registry);
    failures = new EtcdFailureCounters(registry);
    fenceLost =
        Counter.builder("calico.fence.lost")
            .description(
                "Writes refused because another replica took the lead; this replica stopped")
            .register(registry);
    programmed =
        Timer.builder("calico.profiles.programmed")
            .description("Time from a pod's change to its profile programmed in etcd")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofMinutes(5))
            .register(registry);
  }

  private static Counter written(MeterRegistry registry, String result) {
    return Counter.builder("calico.profiles.written")
        .tag("result", result)
        .description("Profiles written to etcd")
        .register(registry);
  }

  private static Counter skipped(MeterRegistry registry, String reason, String why) {
    return Counter.builder("calico.profiles.skipped")
        .tag("reason", reason)
        .description("Profiles not written as desired: " + why)
        .register(registry);
  }

  /** Counts one result; false when it is not a programmed profile (foreign, failed, ...). */
  boolean count(WriteResult result) {
    switch (result) {
      case CREATED -> created.increment();
      case UPDATED -> updated.increment();
      case UNCHANGED -> unchanged.increment();
      case DELETED -> deleted.increment();
      case FOREIGN -> foreign.increment();
      case TOO_LARGE -> tooLarge.increment();
      case ABSENT, FAILED -> {
        // nothing to count here: ABSENT is a no-op, FAILED is counted as a retry
      }
    }
    return result != WriteResult.FOREIGN
        && result != WriteResult.FAILED
        && result != WriteResult.TOO_LARGE;
  }
}
