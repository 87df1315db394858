package io.calicowebhook.etcd;

import io.calicowebhook.config.CalicoConfig;
import io.etcd.jetcd.Client;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The one etcd client of the service. Checks the configuration at start-up (production without
 * {@code ETCD_ENDPOINTS} refuses to start) and, in dev and test mode without endpoints, starts a
 * private etcd like Quarkus Dev Services do, stopping it on exit.
 */
@Singleton
@Startup
public class EtcdConnection {
  private static final Logger LOG = Logger.getLogger(EtcdConnection.class);

  private final EtcdSettings settings;
  private final Optional<EtcdProcess> devEtcd;
  private final List<URI> endpoints;
  private final Client client;

  EtcdConnection(CalicoConfig config) {
    this.settings = EtcdSettings.from(config.etcd());
    this.devEtcd = settings.devService() ? Optional.of(startDevEtcd()) : Optional.empty();
    this.endpoints =
        devEtcd.map(etcd -> List.of(URI.create(etcd.endpoint()))).orElse(settings.endpoints());
    this.client = EtcdClients.build(settings, endpoints);
    LOG.infof("profiles go to etcd at %s", endpoints);
  }

  private static EtcdProcess startDevEtcd() {
    EtcdProcess etcd = EtcdProcess.startTemporary();
    LOG.infof(
        "no ETCD_ENDPOINTS: started a private etcd at %s (data in %s, removed on exit)",
        etcd.endpoint(), etcd.dataDir());
    return etcd;
  }

  /** The checked settings. */
  public EtcdSettings settings() {
    return settings;
  }

  /** The client, shared by the store, the reconciler and the health check. */
  public Client client() {
    return client;
  }

  /** The endpoints in use, the private etcd's when it runs. */
  public List<URI> endpoints() {
    return endpoints;
  }

  @PreDestroy
  void close() {
    client.close();
    devEtcd.ifPresent(EtcdProcess::close);
  }
}
