package io.calicowebhook.sync;

import io.calicowebhook.reconciler.ClusterMode;
import io.calicowebhook.worker.FailClosedPods;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;
import java.time.Instant;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The gauges on-call asks about first, registered once the mode is chosen (after {@link ModeSwitch}
 * started) and read at each scrape:
 *
 * <ul>
 *   <li>{@code calico_leader{mode}}: 1 while this replica leads (cluster mode) or always (local
 *       mode, where every replica writes what it admitted), else 0;
 *   <li>{@code calico_informer_watching}: 1 while the pod informer watches the Kubernetes API, 0
 *       otherwise and in local mode (there is no informer);
 *   <li>{@code calico_resync_last_success_timestamp_seconds}: when this replica's last resync
 *       completed (Unix seconds), 0 before the first and in local mode;
 *   <li>{@code calico_resync_last_duration_seconds}: how long that resync took;
 *   <li>{@code calico_pods_fail_closed{reason}} ({@link FailClosedPods}) counts only while this
 *       replica writes.
 * </ul>
 */
@Singleton
public class SyncMetrics {
  static final String CLUSTER = "cluster";
  static final String LOCAL = "local";

  private final MeterRegistry registry;
  private final ModeSwitch sync;
  private final FailClosedPods failClosed;

  SyncMetrics(MeterRegistry registry, ModeSwitch sync, FailClosedPods failClosed) {
    this.registry = registry;
    this.sync = sync;
    this.failClosed = failClosed;
  }

  /** After ModeSwitch's own start-up observer (default priority), which chooses the mode. */
  void register(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) StartupEvent event) {
    String mode = sync.cluster().isPresent() ? CLUSTER : LOCAL;
    // Only the writing replica's picture of fail-closed pods is current; the others report 0.
    failClosed.activeWhen(() -> sync.cluster().map(c -> c.leadership().leading()).orElse(true));
    gauge(
        "calico.leader",
        null,
        "1 while this replica writes profiles to etcd: it holds the Lease (cluster mode) or"
            + " runs alone (local mode)",
        s -> s.cluster().map(c -> c.leadership().leading() ? 1.0 : 0.0).orElse(1.0),
        "mode",
        mode);
    gauge(
        "calico.informer.watching",
        null,
        "1 while the pod informer watches the Kubernetes API; 0 otherwise and in local mode",
        s -> s.cluster().map(c -> c.pods().watching() ? 1.0 : 0.0).orElse(0.0));
    gauge(
        "calico.resync.last.success.timestamp",
        "seconds",
        "When this replica's last resync of etcd with the cluster's pods completed (Unix time);"
            + " 0 before the first",
        s ->
            reconciler(s)
                .flatMap(c -> c.reconciler().lastResyncAt())
                .map(Instant::toEpochMilli)
                .map(ms -> ms / 1000.0)
                .orElse(0.0));
    gauge(
        "calico.resync.last.duration",
        "seconds",
        "How long this replica's last completed resync took",
        s ->
            reconciler(s)
                .flatMap(c -> c.reconciler().lastResync())
                .map(r -> r.took().toNanos() / 1e9)
                .orElse(0.0));
  }

  private static Optional<ClusterMode> reconciler(ModeSwitch sync) {
    return sync.cluster();
  }

  private void gauge(
      String name,
      String unit,
      String description,
      ToDoubleFunction<ModeSwitch> value,
      String... tags) {
    Gauge.builder(name, sync, value)
        .description(description)
        .baseUnit(unit)
        .tags(tags)
        .strongReference(true)
        .register(registry);
  }
}
