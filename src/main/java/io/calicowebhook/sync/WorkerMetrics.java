package io.calicowebhook.sync;

import io.calicowebhook.etcd.WriteResult;
import io.calicowebhook.profile.PodKey;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** The worker's meters; names in the README's etcd section. */
final class WorkerMetrics {
  final Counter created;
  final Counter updated;
  final Counter unchanged;
  final Counter foreign;
  final Counter invalid;
  final Counter retries;
  final Counter failures;
  final Timer programmed;

  WorkerMetrics(MeterRegistry registry, CoalescingQueue<PodKey> queue) {
    Gauge.builder("calico.profiles.pending", queue, CoalescingQueue::size)
        .description("Profiles waiting to be written to etcd or being written")
        .register(registry);
    created = written(registry, "created");
    updated = written(registry, "updated");
    unchanged = skipped(registry, "unchanged", "stored value already desired");
    foreign = skipped(registry, "foreign", "not created by this service");
    invalid = skipped(registry, "invalid", "policy annotation does not parse");
    retries =
        Counter.builder("calico.profiles.retries")
            .description("Profiles queued again after a failed etcd transaction")
            .register(registry);
    failures =
        Counter.builder("calico.etcd.failures")
            .description("Failed etcd transactions (errors, timeouts, unavailability)")
            .register(registry);
    programmed =
        Timer.builder("calico.profiles.programmed")
            .description("Time from admission to profile programmed in etcd")
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
        .description("Profiles not written: " + why)
        .register(registry);
  }

  void count(WriteResult result) {
    switch (result) {
      case CREATED -> created.increment();
      case UPDATED -> updated.increment();
      case UNCHANGED -> unchanged.increment();
      case FOREIGN -> foreign.increment();
    }
  }
}
