package io.calicowebhook.certs;

import io.calicowebhook.config.CalicoConfig;
import io.calicowebhook.tls.StartupServingPair;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The service-owned certificates in the running service ({@code calico.certs.enabled}). Their
 * settings are checked first thing at start-up. The first check runs when the HTTPS server asks for
 * its serving pair ({@link StartupServingPair}), before the port opens: a missing Secret content is
 * made then and there, and the pair is served from memory until kubelet brings it into the volume.
 * When that first check fails (the API unreachable), the volume's pair is served if it has one.
 * From the start-up event on, every replica checks again every {@code calico.certs.check-period}.
 * Off: nothing here touches the Kubernetes API.
 */
@Singleton
@Startup(ServiceCertificates.FIRST)
public class ServiceCertificates implements StartupServingPair {
  private static final Logger LOG = Logger.getLogger(ServiceCertificates.class);

  /** With the other settings, before anything that uses one starts. */
  static final int FIRST = 100;

  private final CertificateController controller;
  private final CertsSettings settings;

  ServiceCertificates(CalicoConfig config, Instance<KubernetesClient> kubernetes) {
    if (!config.certs().enabled()) {
      this.controller = null;
      this.settings = null;
      return;
    }
    KubernetesClient client = kubernetes.get();
    String namespace = config.certs().namespace().orElseGet(client::getNamespace);
    this.settings =
        CertsSettings.check(config.certs(), namespace, config.webhook().tlsReloadPeriod());
    this.controller = new CertificateController(client, settings, Clock.systemUTC());
  }

  @Override
  public Optional<Pem> startupPair() {
    if (controller == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(controller.checkForStartup());
    } catch (RuntimeException e) {
      // A replica restarting while the API is unreachable still starts from its volume.
      LOG.errorf(
          "cannot check the certificates in Secret %s/%s at start-up, serving what the volume holds: %s",
          settings.namespace(), settings.secretName(), e.getMessage());
      return Optional.empty();
    }
  }

  void start(@Observes StartupEvent event) {
    if (controller != null) {
      LOG.infof(
          "service-owned certificates: Secret %s/%s, webhook configurations %s and %s, checked every %s",
          settings.namespace(),
          settings.secretName(),
          settings.validatingWebhook(),
          settings.mutatingWebhook(),
          settings.checkPeriod());
      controller.start();
    }
  }

  @PreDestroy
  void stop() {
    if (controller != null) {
      controller.close();
    }
  }
}
