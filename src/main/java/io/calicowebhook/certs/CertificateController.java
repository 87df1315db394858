package io.calicowebhook.certs;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.calicowebhook.tls.StartupServingPair;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.net.HttpURLConnection;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Keeps the service's own CA and serving certificate in their Secret and the CA in both webhook
 * configurations' {@code caBundle}. Each {@link #check()} reads the Secret, decides with {@link
 * Renewal} what it should hold, writes that if it differs, then writes the CA bundle into every
 * webhook of both configurations where it differs.
 *
 * <p>Every replica runs this, without a leader: each write is a replace conditioned on the
 * resourceVersion just read, so of two replicas deciding the same change at once one succeeds and
 * the other gets 409 Conflict, reads again and finds the change made. The serving pair reaches the
 * HTTPS server through the Secret's volume ({@code WEBHOOK_TLS_CERT}, {@code WEBHOOK_TLS_KEY}),
 * which kubelet keeps in sync and the server reads again every reload period.
 */
public final class CertificateController implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(CertificateController.class);

  /** Reads and writes of one object per check before the check gives up until the next one. */
  static final int ATTEMPTS = 5;

  /** The Secret keys this controller owns; any other key of the Secret is left as it is. */
  private static final Set<String> OWN_KEYS =
      Set.of(
          CertificateState.CA_CRT,
          CertificateState.CA_KEY,
          CertificateState.TLS_CRT,
          CertificateState.TLS_KEY,
          CertificateState.NEXT_CA_CRT,
          CertificateState.NEXT_CA_KEY,
          CertificateState.NEXT_CA_SINCE,
          CertificateState.PREVIOUS_CA_CRT,
          CertificateState.PREVIOUS_CA_UNTIL,
          CertificateState.CA_BUNDLE);

  private final KubernetesClient client;
  private final CertsSettings settings;
  private final Clock clock;
  private ScheduledExecutorService timer;

  public CertificateController(KubernetesClient client, CertsSettings settings, Clock clock) {
    this.client = client;
    this.settings = settings;
    this.clock = clock;
  }

  /**
   * One check of the Secret and the webhook configurations.
   *
   * @return what the Secret holds afterwards
   * @throws KubernetesClientException when the API refuses or cannot be reached
   * @throws IllegalStateException when other writers kept winning for {@link #ATTEMPTS} reads
   */
  CertificateState check() {
    CertificateState state = ensureSecret();
    String bundle = Base64.getEncoder().encodeToString(state.caBundle().getBytes(US_ASCII));
    ensureCaBundle(
        settings.validatingWebhook(),
        client
            .admissionRegistration()
            .v1()
            .validatingWebhookConfigurations()
            .withName(settings.validatingWebhook()),
        c -> c.getWebhooks().stream().map(ValidatingWebhook::getClientConfig),
        bundle);
    ensureCaBundle(
        settings.mutatingWebhook(),
        client
            .admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .withName(settings.mutatingWebhook()),
        c -> c.getWebhooks().stream().map(MutatingWebhook::getClientConfig),
        bundle);
    return state;
  }

  /** The serving pair the Secret holds after one {@link #check()}, for the HTTPS server's start. */
  public StartupServingPair.Pem checkForStartup() {
    KeyedCertificate serving = check().serving().orElseThrow();
    return new StartupServingPair.Pem(
        serving.certificatePem().getBytes(US_ASCII), serving.keyPem().getBytes(US_ASCII));
  }

  /** Checks every check period from now on, on a thread of its own; failures are logged. */
  public synchronized void start() {
    if (timer != null) {
      return;
    }
    timer =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "certificate-controller");
              thread.setDaemon(true);
              return thread;
            });
    long period = settings.checkPeriod().toMillis();
    timer.scheduleWithFixedDelay(this::checkLogged, period, period, TimeUnit.MILLISECONDS);
  }

  private void checkLogged() {
    try {
      check();
    } catch (RuntimeException e) {
      LOG.warnf(
          "cannot check the certificates in Secret %s/%s, trying again in %s: %s",
          settings.namespace(), settings.secretName(), settings.checkPeriod(), e.getMessage());
    }
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
      timer = null;
    }
  }

  private CertificateState ensureSecret() {
    Resource<Secret> resource =
        client.secrets().inNamespace(settings.namespace()).withName(settings.secretName());
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      Secret live = resource.get();
      CertificateState current = CertificateState.read(live == null ? null : live.getData());
      Renewal.Step step;
      try {
        step = Renewal.next(current, clock.instant(), settings);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot issue a certificate: " + e.getMessage(), e);
      }
      if (!step.changed()) {
        return current;
      }
      try {
        if (live == null) {
          client
              .resource(
                  new SecretBuilder()
                      .withNewMetadata()
                      .withName(settings.secretName())
                      .withNamespace(settings.namespace())
                      .endMetadata()
                      .withType("Opaque")
                      .withData(step.state().data())
                      .build())
              .create();
        } else {
          Map<String, String> data = new LinkedHashMap<>();
          if (live.getData() != null) {
            live.getData()
                .forEach(
                    (key, value) -> {
                      if (!own(key)) {
                        data.put(key, value); // a key of someone else's stays
                      }
                    });
          }
          data.putAll(step.state().data());
          client.resource(new SecretBuilder(live).withData(data).build()).update();
        }
      } catch (KubernetesClientException e) {
        if (lostRace(e)) {
          LOG.debugf("Secret %s changed meanwhile, reading it again", settings.secretName());
          continue;
        }
        throw e;
      }
      LOG.infof(
          "Secret %s/%s: %s",
          settings.namespace(), settings.secretName(), String.join("; ", step.changes()));
      return step.state();
    }
    throw new IllegalStateException(
        "Secret " + settings.secretName() + " changed under every one of " + ATTEMPTS + " writes");
  }

  /**
   * Writes {@code bundle} (base64) into every webhook of a configuration whose {@code caBundle}
   * differs; nothing when none does. A configuration that does not exist is reported, not made: the
   * chart makes both.
   */
  private <T extends HasMetadata> void ensureCaBundle(
      String name,
      Resource<T> resource,
      Function<T, Stream<WebhookClientConfig>> clientConfigs,
      String bundle) {
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      T live = resource.get();
      if (live == null) {
        LOG.warnf("no webhook configuration %s to write the CA into (the chart makes it)", name);
        return;
      }
      List<WebhookClientConfig> configs = clientConfigs.apply(live).toList();
      if (configs.stream().allMatch(c -> c != null && Objects.equals(bundle, c.getCaBundle()))) {
        return;
      }
      configs.stream().filter(Objects::nonNull).forEach(c -> c.setCaBundle(bundle));
      try {
        client.resource(live).update();
        LOG.infof(
            "%s %s: caBundle now holds %d CA(s)",
            live.getKind(),
            live.getMetadata().getName(),
            bundle.isEmpty() ? 0 : countCertificates(bundle));
        return;
      } catch (KubernetesClientException e) {
        if (lostRace(e)) {
          continue;
        }
        throw e;
      }
    }
    throw new IllegalStateException(
        "webhook configuration changed under every one of " + ATTEMPTS + " writes");
  }

  private static int countCertificates(String base64) {
    String pem = new String(Base64.getDecoder().decode(base64), US_ASCII);
    return pem.split("-----BEGIN CERTIFICATE-----", -1).length - 1;
  }

  private static boolean own(String key) {
    return OWN_KEYS.contains(key);
  }

  /** 409: another writer changed (or created) the object since it was read. */
  private static boolean lostRace(KubernetesClientException e) {
    return e.getCode() == HttpURLConnection.HTTP_CONFLICT;
  }
}
