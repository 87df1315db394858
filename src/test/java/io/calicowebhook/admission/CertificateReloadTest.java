package io.calicowebhook.admission;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URL;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A certificate rotated on disk ({@code certs/generate.sh} again, same CA) is served without a
 * restart: the serial seen in a real TLS handshake changes to the new file's.
 */
@QuarkusTest
class CertificateReloadTest {
  @TestHTTPResource(value = "/", tls = true)
  URL base;

  @Test
  void servesRotatedCertificateWithoutRestart() throws Exception {
    BigInteger before = Tls.servedSerial(base.getPort());
    assertEquals(onDisk(), before, "serves the certificate on disk");

    TestCertificates.generate(TestCertificates.SERVER);
    BigInteger rotated = onDisk();
    assertNotEquals(before, rotated, "generate.sh made a new certificate");

    // A handshake that lands while Vert.x swaps the SSL context can be dropped ("Failed to
    // initialize a channel": NullPointerException in SslContextUpdate); poll on past it.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptionsInstanceOf(IOException.class)
        .untilAsserted(() -> assertEquals(rotated, Tls.servedSerial(base.getPort())));
    Tls.given(base).get("/q/health/live").then().statusCode(200);
  }

  private static BigInteger onDisk() {
    return Tls.certificate(TestCertificates.SERVER.resolve("tls.crt")).getSerialNumber();
  }
}
