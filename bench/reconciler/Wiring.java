import io.calicowebhook.config.CalicoConfig;
import io.calicowebhook.etcd.EtcdClients;
import io.calicowebhook.profile.ProfileBuilder;
import io.calicowebhook.store.OwnRevisions;
import io.calicowebhook.store.ProfileStore;
import io.calicowebhook.sync.SyncSettings;
import io.calicowebhook.worker.ProfilePlanner;
import io.etcd.jetcd.Client;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Settings and objects built as the service builds them (ModeSwitch), for one etcd. */
record Wiring(String endpoint, CalicoConfig config, SyncSettings settings) {
  Wiring(String endpoint) {
    this(endpoint, config(endpoint));
  }

  private Wiring(String endpoint, CalicoConfig config) {
    this(endpoint, config, SyncSettings.check(config, property -> false));
  }

  private static CalicoConfig config(String endpoint) {
    Map<String, String> properties = new HashMap<>();
    properties.put("calico.etcd.endpoints", endpoint);
    // Everything else at the service's defaults, the Lease's timings included: the mock server
    // scans every stored pod for each Lease request, so a short retry period would load it.
    properties.put("calico.reconciler.resync-period", "1h"); // the bench triggers its resync
    // Any service setting can be tried from the command line:
    // -Dcalico.reconciler.list-page-size=2000
    for (String name : System.getProperties().stringPropertyNames()) {
      if (name.startsWith("calico.")) {
        properties.put(name, System.getProperty(name));
      }
    }
    return new SmallRyeConfigBuilder()
        .withMapping(CalicoConfig.class)
        .withConverter(Duration.class, 100, new DurationConverter())
        .withSources(new PropertiesConfigSource(properties, "bench", 500))
        .build()
        .getConfigMapping(CalicoConfig.class);
  }

  Client client() {
    return EtcdClients.build(settings.etcd(), List.of(URI.create(endpoint)));
  }

  ProfileStore store(Client client, MeterRegistry metrics, OwnRevisions own) {
    return new ProfileStore(
        client.getKVClient(),
        settings.etcd().limits(),
        settings.etcd().requestTimeout(),
        metrics,
        own);
  }

  ProfilePlanner desired(ProfileStore store) {
    return new ProfilePlanner(new ProfileBuilder(config.defaultPolicy()), store.limits());
  }
}
