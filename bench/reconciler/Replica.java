import io.calicowebhook.reconciler.ClusterMode;
import io.calicowebhook.store.OwnRevisions;
import io.calicowebhook.store.ProfileStore;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** One replica of the service's cluster machinery on the mock API and one etcd. */
final class Replica implements AutoCloseable {
  private final Client client;
  private final MeterRegistry metrics = new SimpleMeterRegistry();
  private final ClusterMode sync;

  Replica(KubernetesClient kubernetes, String endpoint) {
    Wiring wiring = new Wiring(endpoint);
    this.client = wiring.client();
    OwnRevisions own = new OwnRevisions();
    ProfileStore store = wiring.store(client, metrics, own);
    this.sync =
        new ClusterMode(
            kubernetes,
            wiring.settings().etcd(),
            wiring.settings().worker(),
            wiring.settings().reconciler(),
            new ClusterMode.Identity("calico-policy-webhook", "bench"),
            wiring.desired(store),
            store,
            client,
            own,
            metrics);
  }

  ClusterMode sync() {
    return sync;
  }

  Client client() {
    return client;
  }

  /** Profiles the worker created, updated or deleted so far. */
  double writes() {
    return metrics.counter("calico.profiles.written", "result", "created").count()
        + metrics.counter("calico.profiles.written", "result", "updated").count()
        + metrics.counter("calico.profiles.deleted").count();
  }

  @Override
  public void close() {
    sync.close();
    client.close();
  }
}
