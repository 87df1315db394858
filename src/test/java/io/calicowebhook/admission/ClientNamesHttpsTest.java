package io.calicowebhook.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.calicowebhook.tls.ClientCaConfigSourceFactory;
import io.calicowebhook.tls.ClientCertificates;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * With {@code WEBHOOK_CLIENT_NAMES} set, only client certificates that carry one of the names as
 * subject CN or DNS name reach the admission endpoints; other certificates the client CA signed get
 * 403. Real certificates from {@code certs/generate.sh}, real HTTPS.
 */
@QuarkusTest
@TestProfile(ClientNamesHttpsTest.WithClientNames.class)
class ClientNamesHttpsTest {
  static final Path CLIENT_CA = Path.of("target", "test-certs", "client-names").toAbsolutePath();
  private static final String FORBIDDEN =
      "{\"error\":\"client certificate not allowed: its subject CN and DNS names are none of the"
          + " names in WEBHOOK_CLIENT_NAMES\"}";

  @TestHTTPResource(value = "/", tls = true)
  URL base;

  @ParameterizedTest(name = "{0} on {1}")
  @CsvSource({
    "kube-apiserver, validate",
    "kube-apiserver, mutate",
    "dns-name-only, validate",
    "dns-name-only, mutate"
  })
  void servesCertificateCarryingAName(String client, String endpoint) throws Exception {
    HttpResponse<String> response = postReview(client, endpoint);
    assertEquals(200, response.statusCode(), response.body());
  }

  @ParameterizedTest(name = "{0} on {1}")
  @CsvSource({
    "intruder, validate",
    "intruder, mutate",
    "kube-apiserver-evil, validate",
    "email-only, validate",
    "wrong-dns-name, mutate"
  })
  void refusesOtherCertificatesOfTheSameCaWith403(String client, String endpoint) throws Exception {
    HttpResponse<String> response = postReview(client, endpoint);
    assertEquals(403, response.statusCode(), response.body());
    assertEquals(FORBIDDEN, response.body());
    assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/q/health/live", "/q/health/ready", "/q/metrics"})
  void keepsHealthAndMetricsOpenToAnyCertificate(String path) throws Exception {
    HttpResponse<String> response = Tls.get(base, path.substring(1), context("intruder"));
    assertEquals(200, response.statusCode(), response.body());
  }

  @ParameterizedTest
  @ValueSource(strings = {"validate", "mutate"})
  void stillRequiresACertificate(String endpoint) throws Exception {
    HttpResponse<String> response = Tls.postJson(base, endpoint, Tls.context(null, null), review());
    assertEquals(401, response.statusCode(), response.body());
  }

  private HttpResponse<String> postReview(String client, String endpoint) throws Exception {
    return Tls.postJson(base, endpoint, context(client), review());
  }

  private static SSLContext context(String client) {
    return Tls.context(CLIENT_CA, client);
  }

  /** A Pod CREATE with the legacy key: /validate allows it, /mutate patches it. */
  private static byte[] review() {
    return Fixtures.bytes(Fixtures.review("mutate", "legacy-key-is-rewritten"));
  }

  /** Sets WEBHOOK_CLIENT_CA and WEBHOOK_CLIENT_NAMES, exactly as an operator would. */
  public static class WithClientNames implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(ClientCertificates.class));
    }

    /** One client CA; certificates with and without the names, as CN and as alternative names. */
    public static class ClientCertificates implements QuarkusTestResourceLifecycleManager {
      @Override
      public Map<String, String> start() {
        TestCertificates.deleteCa(CLIENT_CA);
        TestCertificates.generate(CLIENT_CA, "-c", "kube-apiserver");
        TestCertificates.generate(
            CLIENT_CA, "-c", "dns-name-only", "-a", "DNS:apiserver-webhook-client");
        TestCertificates.generate(CLIENT_CA, "-c", "intruder");
        TestCertificates.generate(CLIENT_CA, "-c", "kube-apiserver-evil");
        TestCertificates.generate(CLIENT_CA, "-c", "email-only", "-a", "email:kube-apiserver");
        TestCertificates.generate(
            CLIENT_CA, "-c", "wrong-dns-name", "-a", "DNS:kube-apiserver.example.com");
        return Map.of(
            ClientCaConfigSourceFactory.CLIENT_CA,
            CLIENT_CA.resolve("ca.crt").toString(),
            "WEBHOOK_CLIENT_NAMES",
            " kube-apiserver, apiserver-webhook-client ");
      }

      @Override
      public void stop() {}
    }
  }
}
