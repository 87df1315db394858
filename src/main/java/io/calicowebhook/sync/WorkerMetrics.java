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
    unchanged =
        Counter.builder("calico.profiles.skipped")
            .tag("reason", "unchanged")
            .description("Profiles not written: stored value already desired")
            .register(registry);
    foreign =
        Counter.builder("calico.profiles.skipped")
            .tag("reason", "foreign")
            .description("Profiles not written: not created by this service")
            .register(registry);
    invalid =
        Counter.builder("calico.profiles.skipped")
            .tag("reason", "invalid")
            .description("Profiles not written: policy annotation does not parse")
            .register(registry);
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

  void count(WriteResult result) {
    switch (result) {
      case CREATED -> created.increment();
      case UPDATED -> updated.increment();
      case UNCHANGED -> unchanged.increment();
      case FOREIGN -> foreign.increment();
    }
  }
}
