package io.calicowebhook.certs;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calicowebhook.tls.PemKeys;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/**
 * The running service with service-owned certificates, at its first start against the Quarkus
 * Kubernetes test server (CRUD mode): the Secret is empty and the volume holds no files yet. The
 * service fills the Secret before its HTTPS port opens, serves that pair, and writes its CA into
 * both webhook configurations; a client that trusts only the caBundle and checks the Service's DNS
 * name completes the handshake, as the kube-apiserver would.
 */
@QuarkusTest
@TestProfile(ServiceCertificatesTest.ServiceOwned.class)
@WithKubernetesTestServer(crud = true, setup = ServiceCertificatesTest.Seed.class)
class ServiceCertificatesTest {
  static final String NAMESPACE = CertificateControllerTest.NAMESPACE;
  static final String SECRET = CertificateControllerTest.SECRET;
  static final String SERVICE = CertificateControllerTest.WEBHOOKS;
  static final Path FILES = Path.of("target", "test-certs", "service-owned").toAbsolutePath();

  /** Certificates on; the files the volume would hold do not exist. */
  public static class ServiceOwned implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "calico.certs.enabled",
          "true",
          "calico.certs.namespace",
          NAMESPACE,
          "calico.certs.service-name",
          SERVICE,
          "calico.certs.secret-name",
          SECRET,
          "calico.certs.check-period",
          "1s",
          "calico.certs.overlap",
          "3s",
          "calico.webhook.tls-reload-period",
          "1s",
          "calico.webhook.tls-cert",
          FILES.resolve("tls.crt").toString(),
          "calico.webhook.tls-key",
          FILES.resolve("tls.key").toString());
    }
  }

  /** The chart's objects: both webhook configurations without caBundle, an empty Secret. */
  public static class Seed implements Consumer<KubernetesServer> {
    @Override
    public void accept(KubernetesServer server) {
      KubernetesClient client = server.getClient();
      client.resource(CertificateControllerTest.validating()).create();
      client.resource(CertificateControllerTest.mutating()).create();
      client
          .resource(
              new io.fabric8.kubernetes.api.model.SecretBuilder()
                  .withNewMetadata()
                  .withName(SECRET)
                  .withNamespace(NAMESPACE)
                  .endMetadata()
                  .withType("Opaque")
                  .build())
          .create();
      try {
        Files.deleteIfExists(FILES.resolve("tls.crt"));
        Files.deleteIfExists(FILES.resolve("tls.key"));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  @Inject KubernetesClient client;

  @TestHTTPResource(value = "/", tls = true)
  URL base;

  @Test
  void servesThePairItMadeToClientsThatTrustOnlyTheCaBundle() throws Exception {
    assertFalse(Files.exists(FILES.resolve("tls.crt")), "no file: served from the Secret");
    Secret secret = client.secrets().inNamespace(NAMESPACE).withName(SECRET).get();
    X509Certificate inSecret =
        CertificateControllerTest.certificate(secret, CertificateState.TLS_CRT);

    for (String name : CertsSettings.dnsNames(SERVICE, NAMESPACE, "cluster.local")) {
      X509Certificate served = handshake(trusting(caBundle()), name);
      assertEquals(inSecret, served, name);
    }
  }

  @Test
  void aClientThatTrustsAnotherCaIsRefused() throws Exception {
    KeyedCertificate other =
        Issuer.ca("other", java.time.Instant.now(), java.time.Instant.now().plusSeconds(600));
    String bundle = Base64.getEncoder().encodeToString(other.certificatePem().getBytes(US_ASCII));

    assertThrows(
        SSLHandshakeException.class,
        () -> handshake(trusting(bundle), SERVICE + "." + NAMESPACE + ".svc"));
  }

  @Test
  void aWipedCaBundleIsWrittenBackWithinACheckPeriod() {
    String before = caBundle();
    ValidatingWebhookConfiguration wiped =
        client
            .admissionRegistration()
            .v1()
            .validatingWebhookConfigurations()
            .withName(SERVICE)
            .get();
    wiped.getWebhooks().forEach(w -> w.getClientConfig().setCaBundle(null));
    client.resource(wiped).update();

    await().atMost(Duration.ofSeconds(20)).until(() -> before.equals(caBundle()));
    assertTrue(
        client
            .admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .withName(SERVICE)
            .get()
            .getWebhooks()
            .stream()
            .allMatch(w -> before.equals(w.getClientConfig().getCaBundle())));
  }

  private String caBundle() {
    List<String> bundles =
        client
            .admissionRegistration()
            .v1()
            .validatingWebhookConfigurations()
            .withName(SERVICE)
            .get()
            .getWebhooks()
            .stream()
            .map(w -> w.getClientConfig().getCaBundle())
            .distinct()
            .toList();
    assertEquals(1, bundles.size(), "every webhook holds the same caBundle");
    return bundles.get(0);
  }

  private static SSLContext trusting(String caBundle) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    int i = 0;
    for (X509Certificate ca : PemKeys.certificates(Base64.getDecoder().decode(caBundle))) {
      trust.setCertificateEntry("ca-" + i++, ca);
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }

  /**
   * A TLS handshake with the service's port as the kube-apiserver makes it to {@code name}: the
   * name sent as SNI and checked against the certificate; then one health request over it.
   */
  private X509Certificate handshake(SSLContext context, String name) throws IOException {
    try (Socket plain = new Socket(base.getHost(), base.getPort());
        SSLSocket tls =
            (SSLSocket)
                context.getSocketFactory().createSocket(plain, name, base.getPort(), true)) {
      tls.setSoTimeout(10_000);
      SSLParameters parameters = tls.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      parameters.setServerNames(List.of(new SNIHostName(name)));
      tls.setSSLParameters(parameters);
      tls.startHandshake();
      OutputStream out = tls.getOutputStream();
      out.write(
          ("GET /q/health/live HTTP/1.1\r\nHost: " + name + "\r\nConnection: close\r\n\r\n")
              .getBytes(US_ASCII));
      out.flush();
      InputStream in = tls.getInputStream();
      String status = new String(in.readNBytes(12), US_ASCII);
      assertEquals("HTTP/1.1 200", status, "health over the handshake");
      return (X509Certificate) tls.getSession().getPeerCertificates()[0];
    }
  }
}
