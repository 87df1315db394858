package io.calicowebhook.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.calicowebhook.tls.ClientCaConfigSourceFactory;
import io.calicowebhook.tls.ClientCertificates;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/**
 * With {@code WEBHOOK_CLIENT_CA} set, admission calls need a client certificate that CA signed;
 * health stays open for kubelet probes, which present none.
 */
@QuarkusTest
@TestProfile(ClientCertificateTest.WithClientCa.class)
class ClientCertificateTest {
  static final Path CLIENT_CA = Path.of("target", "test-certs", "client-ca").toAbsolutePath();
  static final Path OTHER_CA = Path.of("target", "test-certs", "other-ca").toAbsolutePath();

  @TestHTTPResource(value = "/", tls = true)
  URL base;

  @Test
  void servesAdmissionToCertificateSignedByClientCa() throws Exception {
    HttpResponse<String> response = postReview(Tls.context(CLIENT_CA, "apiserver"));
    assertEquals(200, response.statusCode(), response.body());
  }

  @Test
  void refusesAdmissionWithoutClientCertificate() throws Exception {
    HttpResponse<String> response = postReview(Tls.context(null, null));
    assertEquals(401, response.statusCode());
    assertEquals(
        "{\"error\":\"client certificate required: present one signed by the configured client"
            + " CA\"}",
        response.body());
  }

  /**
   * The handshake is refused, so no HTTP answer ever comes. Under TLS 1.3 the client may finish its
   * side of the handshake before the server's alert arrives, so the refusal shows up either as an
   * {@code SSLException} or as the connection closing under the request: both are IOExceptions.
   */
  @Test
  void refusesCertificateSignedByAnotherCa() {
    assertThrows(IOException.class, () -> postReview(Tls.context(OTHER_CA, "intruder")));
  }

  @Test
  void keepsHealthOpenWithoutClientCertificate() throws Exception {
    HttpResponse<String> response = Tls.get(base, "q/health/ready", Tls.context(null, null));
    assertEquals(200, response.statusCode(), response.body());
  }

  private HttpResponse<String> postReview(SSLContext context) throws Exception {
    byte[] review = Fixtures.bytes(Fixtures.review("validate", "create-with-valid-policy"));
    return Tls.postJson(base, "validate", context, review);
  }

  /** Sets WEBHOOK_CLIENT_CA, exactly as an operator would. */
  public static class WithClientCa implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(ClientCertificates.class));
    }

    /** A client CA with the apiserver's certificate, and an unrelated CA with an intruder's. */
    public static class ClientCertificates implements QuarkusTestResourceLifecycleManager {
      @Override
      public Map<String, String> start() {
        TestCertificates.deleteCa(CLIENT_CA);
        TestCertificates.deleteCa(OTHER_CA);
        TestCertificates.generate(CLIENT_CA, "-c", "apiserver");
        TestCertificates.generate(OTHER_CA, "-c", "intruder");
        return Map.of(
            ClientCaConfigSourceFactory.CLIENT_CA, CLIENT_CA.resolve("ca.crt").toString());
      }

      @Override
      public void stop() {}
    }
  }
}
