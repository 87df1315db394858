package io.calicowebhook.certs;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calicowebhook.tls.PemKeys;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The certificate controller against a Kubernetes mock API server in CRUD mode, with a clock the
 * test moves: the Secret made when absent, the CA written into every webhook of both
 * configurations, a restart that keeps everything, the serving certificate renewed before it
 * expires, a CA rotated with an overlap, and two replicas racing for the same write.
 */
@EnableKubernetesMockClient(crud = true)
class CertificateControllerTest {
  static final String NAMESPACE = "webhooks";
  static final String SECRET = "hooks-certs";
  static final String WEBHOOKS = "hooks";
  static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

  static KubernetesMockServer server;
  static KubernetesClient client;

  private final MovableClock clock = new MovableClock(START);

  /** Serving 30 days, renewed 10 days before; CA 300 days, rotated 100 days before, 1h steps. */
  static CertsSettings settings() {
    return new CertsSettings(
        NAMESPACE,
        SECRET,
        CertsSettings.dnsNames(WEBHOOKS, NAMESPACE, "cluster.local"),
        WEBHOOKS,
        WEBHOOKS,
        Duration.ofDays(30),
        Duration.ofDays(10),
        Duration.ofDays(300),
        Duration.ofDays(100),
        Duration.ofHours(1),
        Duration.ofMinutes(1));
  }

  @BeforeEach
  void webhookConfigurations() {
    client.resource(validating()).create();
    client.resource(mutating()).create();
  }

  @AfterEach
  void clean() {
    client.secrets().inNamespace(NAMESPACE).delete();
    client.admissionRegistration().v1().validatingWebhookConfigurations().delete();
    client.admissionRegistration().v1().mutatingWebhookConfigurations().delete();
  }

  @Test
  void makesTheSecretWhenAbsentAndWritesItsCaIntoEveryWebhook() throws Exception {
    CertificateState state = controller(clock).check();

    Secret secret = secret();
    assertEquals("Opaque", secret.getType());
    X509Certificate ca = certificate(secret, CertificateState.CA_CRT);
    X509Certificate serving = certificate(secret, CertificateState.TLS_CRT);
    assertTrue(Issuer.signedBy(serving, ca));
    assertEquals(settings().dnsNames(), Renewal.dnsNames(serving));
    assertEquals(List.of(ca), bundle(secret, CertificateState.CA_BUNDLE));
    assertEquals(state.serving().orElseThrow().certificate(), serving);
    for (String caBundle : caBundles()) {
      assertEquals(List.of(ca), certificates(caBundle));
    }
    assertEquals(3, caBundles().size(), "two validating webhooks and one mutating");
  }

  @Test
  void aRestartKeepsTheCertificatesAndWritesNothing() throws Exception {
    controller(clock).check();
    Secret before = secret();
    String validatingVersion = validatingLive().getMetadata().getResourceVersion();

    clock.advance(Duration.ofDays(1));
    controller(clock).check(); // another instance: a restarted or second replica

    Secret after = secret();
    assertEquals(
        before.getMetadata().getResourceVersion(), after.getMetadata().getResourceVersion());
    assertEquals(before.getData(), after.getData());
    assertEquals(validatingVersion, validatingLive().getMetadata().getResourceVersion());
  }

  @Test
  void keysOfSomeoneElseInTheSecretStay() throws Exception {
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(SECRET)
                .withNamespace(NAMESPACE)
                .endMetadata()
                .withType("Opaque")
                .addToData("note", Base64.getEncoder().encodeToString("kept".getBytes(US_ASCII)))
                .build())
        .create();

    controller(clock).check();

    Map<String, String> data = secret().getData();
    assertEquals("kept", new String(Base64.getDecoder().decode(data.get("note")), US_ASCII));
    assertNotNull(data.get(CertificateState.TLS_CRT), "the placeholder was filled");
  }

  @Test
  void aWipedCaBundleIsWrittenAgain() throws Exception {
    controller(clock).check();
    ValidatingWebhookConfiguration wiped = validatingLive();
    wiped.getWebhooks().forEach(w -> w.getClientConfig().setCaBundle(null));
    client.resource(wiped).update(); // as an apply that carried no caBundle would

    controller(clock).check();

    X509Certificate ca = certificate(secret(), CertificateState.CA_CRT);
    for (String caBundle : caBundles()) {
      assertEquals(List.of(ca), certificates(caBundle));
    }
  }

  @Test
  void renewsTheServingCertificateBeforeItExpiresWithTheSameCa() throws Exception {
    CertificateController controller = controller(clock);
    controller.check();
    X509Certificate ca = certificate(secret(), CertificateState.CA_CRT);
    X509Certificate first = certificate(secret(), CertificateState.TLS_CRT);

    clock.advance(Duration.ofDays(19)); // 11 days left, more than renew-before
    controller.check();
    assertEquals(first, certificate(secret(), CertificateState.TLS_CRT));

    clock.advance(Duration.ofDays(2)); // 9 days left
    controller.check();
    X509Certificate second = certificate(secret(), CertificateState.TLS_CRT);
    assertNotEquals(first.getSerialNumber(), second.getSerialNumber());
    assertTrue(Issuer.signedBy(second, ca));
    assertEquals(clock.instant().plus(Duration.ofDays(30)), second.getNotAfter().toInstant());
    assertTrue(second.getNotBefore().toInstant().isBefore(clock.instant()), "valid at once");
    assertEquals(ca, certificate(secret(), CertificateState.CA_CRT), "the CA stays");
    assertEquals(List.of(ca), certificates(caBundles().get(0)));
  }

  @Test
  void rotatesTheCaWithBothTrustedUntilTheNewPairIsServedEverywhere() throws Exception {
    CertificateController controller = controller(clock);
    controller.check();
    X509Certificate oldCa = certificate(secret(), CertificateState.CA_CRT);

    // 99 days before the CA's end: step 1, a new CA trusted beside the old, not signing yet
    clock.set(oldCa.getNotAfter().toInstant().minus(Duration.ofDays(99)));
    controller.check();
    Secret step1 = secret();
    X509Certificate newCa = certificate(step1, CertificateState.NEXT_CA_CRT);
    assertEquals(oldCa, certificate(step1, CertificateState.CA_CRT));
    assertTrue(Issuer.signedBy(certificate(step1, CertificateState.TLS_CRT), oldCa));
    assertEveryCaBundle(List.of(oldCa, newCa));

    clock.advance(Duration.ofMinutes(59)); // less than the overlap: nothing moves
    controller.check();
    assertEquals(step1.getData(), secret().getData());

    // one overlap on: step 2, the new CA signs; the old stays trusted
    clock.advance(Duration.ofMinutes(1));
    controller.check();
    Secret step2 = secret();
    assertEquals(newCa, certificate(step2, CertificateState.CA_CRT));
    assertEquals(oldCa, certificate(step2, CertificateState.PREVIOUS_CA_CRT));
    assertFalse(step2.getData().containsKey(CertificateState.NEXT_CA_CRT));
    assertTrue(Issuer.signedBy(certificate(step2, CertificateState.TLS_CRT), newCa));
    assertEveryCaBundle(List.of(oldCa, newCa));

    clock.advance(Duration.ofMinutes(59));
    controller.check();
    assertEveryCaBundle(List.of(oldCa, newCa));

    // another overlap on: step 3, the old CA leaves caBundle
    clock.advance(Duration.ofMinutes(1));
    controller.check();
    Secret step3 = secret();
    assertFalse(step3.getData().containsKey(CertificateState.PREVIOUS_CA_CRT));
    assertEquals(newCa, certificate(step3, CertificateState.CA_CRT));
    assertEveryCaBundle(List.of(newCa));
  }

  @Test
  void aReplicaThatLosesTheRaceReadsAgainAndAgrees() throws Exception {
    controller(clock).check();
    clock.advance(Duration.ofDays(25)); // both replicas will want to renew the serving pair
    CountDownLatch loserRead = new CountDownLatch(1);
    CountDownLatch winnerWrote = new CountDownLatch(1);
    GatedClock gated = new GatedClock(clock, loserRead, winnerWrote);

    CompletableFuture<CertificateState> loser =
        CompletableFuture.supplyAsync(() -> controller(gated).check());
    assertTrue(loserRead.await(30, TimeUnit.SECONDS), "the loser read the Secret");
    CertificateState winner = controller(clock).check();
    winnerWrote.countDown();
    CertificateState lost = loser.get(30, TimeUnit.SECONDS);

    assertTrue(gated.reads() >= 2, "the loser decided again after its write was refused");
    X509Certificate served = certificate(secret(), CertificateState.TLS_CRT);
    assertEquals(winner.serving().orElseThrow().certificate(), served);
    assertEquals(lost.serving().orElseThrow().certificate(), served, "the loser adopted it");
    assertTrue(Issuer.signedBy(served, certificate(secret(), CertificateState.CA_CRT)));
    KeyedCertificate.parse(
        text(secret(), CertificateState.TLS_CRT), text(secret(), CertificateState.TLS_KEY));
  }

  @Test
  void twoReplicasStartingOnAnEmptyApiEndWithOneSecret() throws Exception {
    CountDownLatch loserRead = new CountDownLatch(1);
    CountDownLatch winnerWrote = new CountDownLatch(1);
    GatedClock gated = new GatedClock(clock, loserRead, winnerWrote);

    CompletableFuture<CertificateState> loser =
        CompletableFuture.supplyAsync(() -> controller(gated).check());
    assertTrue(loserRead.await(30, TimeUnit.SECONDS));
    CertificateState winner = controller(clock).check(); // creates the Secret first
    winnerWrote.countDown();
    CertificateState lost = loser.get(30, TimeUnit.SECONDS);

    assertEquals(winner.ca().orElseThrow().certificate(), lost.ca().orElseThrow().certificate());
    assertEquals(
        winner.serving().orElseThrow().certificate(), lost.serving().orElseThrow().certificate());
    assertEveryCaBundle(List.of(winner.ca().orElseThrow().certificate()));
  }

  // --- helpers ---------------------------------------------------------------------------

  private CertificateController controller(Clock clock) {
    return new CertificateController(client, settings(), clock);
  }

  private void assertEveryCaBundle(List<X509Certificate> expected) throws Exception {
    assertEquals(expected, bundle(secret(), CertificateState.CA_BUNDLE));
    for (String caBundle : caBundles()) {
      assertEquals(expected, certificates(caBundle));
    }
  }

  static ValidatingWebhookConfiguration validating() {
    return new ValidatingWebhookConfigurationBuilder()
        .withNewMetadata()
        .withName(WEBHOOKS)
        .endMetadata()
        .addNewWebhook()
        .withName("validate.calicowebhook.io")
        .withNewClientConfig()
        .withNewService()
        .withName(WEBHOOKS)
        .withNamespace(NAMESPACE)
        .withPath("/validate")
        .endService()
        .endClientConfig()
        .withAdmissionReviewVersions("v1")
        .withSideEffects("None")
        .endWebhook()
        .addNewWebhook()
        .withName("validate-workloads.calicowebhook.io")
        .withNewClientConfig()
        .withNewService()
        .withName(WEBHOOKS)
        .withNamespace(NAMESPACE)
        .withPath("/validate")
        .endService()
        .endClientConfig()
        .withAdmissionReviewVersions("v1")
        .withSideEffects("None")
        .endWebhook()
        .build();
  }

  static MutatingWebhookConfiguration mutating() {
    return new MutatingWebhookConfigurationBuilder()
        .withNewMetadata()
        .withName(WEBHOOKS)
        .endMetadata()
        .addNewWebhook()
        .withName("mutate.calicowebhook.io")
        .withNewClientConfig()
        .withNewService()
        .withName(WEBHOOKS)
        .withNamespace(NAMESPACE)
        .withPath("/mutate")
        .endService()
        .endClientConfig()
        .withAdmissionReviewVersions("v1")
        .withSideEffects("None")
        .endWebhook()
        .build();
  }

  static ValidatingWebhookConfiguration validatingLive() {
    return client
        .admissionRegistration()
        .v1()
        .validatingWebhookConfigurations()
        .withName(WEBHOOKS)
        .get();
  }

  /** The caBundle of every webhook of both configurations. */
  static List<String> caBundles() {
    List<String> all = new ArrayList<>();
    validatingLive().getWebhooks().forEach(w -> all.add(w.getClientConfig().getCaBundle()));
    client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName(WEBHOOKS)
        .get()
        .getWebhooks()
        .forEach(w -> all.add(w.getClientConfig().getCaBundle()));
    return all;
  }

  static Secret secret() {
    return client.secrets().inNamespace(NAMESPACE).withName(SECRET).get();
  }

  static String text(Secret secret, String key) {
    return new String(Base64.getDecoder().decode(secret.getData().get(key)), US_ASCII);
  }

  static X509Certificate certificate(Secret secret, String key) throws Exception {
    return PemKeys.certificates(text(secret, key).getBytes(US_ASCII))[0];
  }

  static List<X509Certificate> bundle(Secret secret, String key) throws Exception {
    return List.of(PemKeys.certificates(text(secret, key).getBytes(US_ASCII)));
  }

  static List<X509Certificate> certificates(String base64) throws Exception {
    assertNotNull(base64, "a caBundle");
    return List.of(PemKeys.certificates(Base64.getDecoder().decode(base64)));
  }

  /** A clock the test sets. */
  static final class MovableClock extends Clock {
    private volatile Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration by) {
      now = now.plus(by);
    }

    void set(Instant to) {
      now = to;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  /**
   * A clock whose first reading (taken right after the controller read the Secret, before it
   * decides and writes) waits until another replica has written: the controller's write then
   * carries a resourceVersion that is no longer current.
   */
  static final class GatedClock extends Clock {
    private final Clock clock;
    private final CountDownLatch read;
    private final CountDownLatch proceed;
    private int reads;

    GatedClock(Clock clock, CountDownLatch read, CountDownLatch proceed) {
      this.clock = clock;
      this.read = read;
      this.proceed = proceed;
    }

    synchronized int reads() {
      return reads;
    }

    @Override
    public Instant instant() {
      synchronized (this) {
        reads++;
      }
      read.countDown();
      try {
        if (!proceed.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the other replica never wrote");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      return clock.instant();
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
