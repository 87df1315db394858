package io.calicowebhook.reconciler;

import io.calicowebhook.config.CalicoConfig;
import io.calicowebhook.profile.ProfileBuilder;
import io.calicowebhook.store.OwnRevisions;
import io.calicowebhook.store.ProfileStore;
import io.calicowebhook.sync.SyncSettings;
import io.calicowebhook.worker.ProfilePlanner;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * One replica of the service's cluster machinery ({@link ClusterMode}) outside Quarkus, configured
 * through the real configuration mapping, so that a test can run several on one Lease.
 */
public final class Replica implements AutoCloseable {
  final ClusterMode sync;
  final MeterRegistry metrics = new SimpleMeterRegistry();
  final OwnRevisions own = new OwnRevisions();
  private final Client etcd;

  private Replica(
      KubernetesClient kubernetes, String endpoint, String name, Map<String, String> extra) {
    Map<String, String> properties = new HashMap<>();
    properties.put("calico.etcd.endpoints", endpoint);
    properties.put("calico.reconciler.lease.duration", "3s");
    properties.put("calico.reconciler.lease.renew-deadline", "2s");
    properties.put("calico.reconciler.lease.retry-period", "500ms");
    properties.put("calico.worker.backoff-min", "50ms");
    properties.put("calico.worker.backoff-max", "1s");
    // the mock API server sends no bookmarks: a quiet watch is listed anew soon
    properties.put("calico.reconciler.watch-stale-after", "2s");
    properties.putAll(extra);
    CalicoConfig config = config(properties);
    SyncSettings settings = SyncSettings.check(config, property -> false);
    this.etcd = Client.builder().endpoints(endpoint).waitForReady(false).build();
    ProfileStore store =
        new ProfileStore(
            etcd.getKVClient(),
            settings.etcd().limits(),
            settings.etcd().requestTimeout(),
            metrics,
            own);
    ProfilePlanner desired =
        new ProfilePlanner(new ProfileBuilder(config.defaultPolicy()), store.limits());
    this.sync =
        new ClusterMode(
            kubernetes,
            settings.etcd(),
            settings.worker(),
            settings.reconciler(),
            new ClusterMode.Identity("calico-policy-webhook", name),
            desired,
            store,
            etcd,
            own,
            metrics);
  }

  /** Starts a replica called {@code name} with the given extra settings. */
  static Replica start(
      KubernetesClient kubernetes, String etcdEndpoint, String name, Map<String, String> extra) {
    Replica replica = new Replica(kubernetes, etcdEndpoint, name, extra);
    replica.sync.start();
    return replica;
  }

  /** A replica called {@code name}, not started: a test drives its parts itself. */
  public static Replica create(
      KubernetesClient kubernetes, String etcdEndpoint, String name, Map<String, String> extra) {
    return new Replica(kubernetes, etcdEndpoint, name, extra);
  }

  static Replica start(KubernetesClient kubernetes, String etcdEndpoint, String name) {
    return start(kubernetes, etcdEndpoint, name, Map.of());
  }

  /** Its cluster machinery. */
  public ClusterMode cluster() {
    return sync;
  }

  boolean leading() {
    return sync.leadership().leading();
  }

  /** Profiles this replica's worker wrote (created, updated or deleted). */
  double writes() {
    return metrics.counter("calico.profiles.written", "result", "created").count()
        + metrics.counter("calico.profiles.written", "result", "updated").count()
        + metrics.counter("calico.profiles.deleted").count();
  }

  public static CalicoConfig config(Map<String, String> properties) {
    return new SmallRyeConfigBuilder()
        .withMapping(CalicoConfig.class)
        .withConverter(Duration.class, 100, new DurationConverter())
        .withSources(new PropertiesConfigSource(properties, "test", 500))
        .build()
        .getConfigMapping(CalicoConfig.class);
  }

  @Override
  public void close() {
    sync.close();
    etcd.close();
  }
}
