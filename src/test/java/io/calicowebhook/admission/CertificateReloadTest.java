package io.calicowebhook.admission;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.math.BigInteger;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A certificate rotated on disk ({@code certs/generate.sh} again, same CA) is served without a
 * restart, and no handshake fails while it happens: threads open fresh connections without pause
 * through several rotations, and every one of their handshakes must succeed with either the old or
 * the new certificate, never a mix of the two or a dropped connection.
 */
@QuarkusTest
class CertificateReloadTest {
  private static final int ROTATIONS = 3;
  private static final int CLIENTS = 3;

  @TestHTTPResource(value = "/", tls = true)
  URL base;

  @Test
  void servesRotatedCertificatesWithoutFailingAHandshake() throws Exception {
    assertEquals(onDisk(), Tls.servedSerial(base.getPort()), "serves the certificate on disk");
    Set<BigInteger> written = new HashSet<>(Set.of(onDisk()));

    try (Handshakes handshakes = new Handshakes(base.getPort(), CLIENTS)) {
      for (int rotation = 0; rotation < ROTATIONS; rotation++) {
        BigInteger before = onDisk();
        TestCertificates.generate(TestCertificates.SERVER);
        BigInteger rotated = onDisk();
        assertNotEquals(before, rotated, "generate.sh made a new certificate");
        written.add(rotated);
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> handshakes.lastServed(rotated) || !handshakes.failures().isEmpty());
        assertEquals(
            List.of(), handshakes.failures(), "handshakes that failed in rotation " + rotation);
      }
      handshakes.stop();
      assertEquals(List.of(), handshakes.failures(), "handshakes that failed after the rotations");
      assertTrue(
          written.containsAll(handshakes.served()),
          "served only certificates that were on disk: " + handshakes.served());
    }
    Tls.given(base)
        .contentType("application/json")
        .body(Fixtures.bytes(Fixtures.review("validate", "create-with-valid-policy")))
        .post("/validate")
        .then()
        .statusCode(200);
  }

  private static BigInteger onDisk() {
    return Tls.certificate(TestCertificates.SERVER.resolve("tls.crt")).getSerialNumber();
  }

  /**
   * Client threads doing full handshakes (a fresh SSL context each, so no resumption) in a loop.
   */
  private static final class Handshakes implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final Set<BigInteger> served = ConcurrentHashMap.newKeySet();
    private final List<BigInteger> last = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    Handshakes(int port, int clients) {
      for (int i = 0; i < clients; i++) {
        last.add(null);
        int client = i;
        Thread thread = new Thread(() -> run(port, client), "handshakes-" + i);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
      }
    }

    private void run(int port, int client) {
      while (running.get()) {
        try {
          BigInteger serial = Tls.servedSerial(port);
          served.add(serial);
          synchronized (last) {
            last.set(client, serial);
          }
        } catch (Exception e) {
          failures.add(e.toString());
        }
      }
    }

    /** Whether every client's latest handshake saw {@code serial}. */
    boolean lastServed(BigInteger serial) {
      synchronized (last) {
        return last.stream().allMatch(serial::equals);
      }
    }

    List<String> failures() {
      return List.copyOf(failures);
    }

    Set<BigInteger> served() {
      return Set.copyOf(served);
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread thread : threads) {
        thread.join(10_000);
      }
    }

    @Override
    public void close() throws InterruptedException {
      stop();
    }
  }
}
