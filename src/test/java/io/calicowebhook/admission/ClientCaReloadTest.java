package io.calicowebhook.admission;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.calicowebhook.tls.ClientCaConfigSourceFactory;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/**
 * A client CA replaced on disk ({@code WEBHOOK_CLIENT_CA}, as when its Secret is updated) checks
 * client certificates from the next reload on, without a restart: the new CA's client is served and
 * the old CA's is refused in the handshake.
 */
@QuarkusTest
@TestProfile(ClientCaReloadTest.WithClientCa.class)
class ClientCaReloadTest {
  static final Path CONFIGURED = Path.of("target", "test-certs", "reload-ca").toAbsolutePath();
  static final Path OLD = Path.of("target", "test-certs", "reload-ca-old").toAbsolutePath();
  static final Path NEW = Path.of("target", "test-certs", "reload-ca-new").toAbsolutePath();

  @TestHTTPResource(value = "/", tls = true)
  URL base;

  @Test
  void checksClientsAgainstTheReplacedCa() throws Exception {
    assertEquals(200, postReview(Tls.context(OLD, "apiserver")));
    assertThrows(IOException.class, () -> postReview(Tls.context(NEW, "apiserver")));

    replace(CONFIGURED.resolve("ca.crt"), NEW.resolve("ca.crt"));

    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptionsInstanceOf(IOException.class)
        .untilAsserted(() -> assertEquals(200, postReview(Tls.context(NEW, "apiserver"))));
    assertThrows(IOException.class, () -> postReview(Tls.context(OLD, "apiserver")));
  }

  private int postReview(SSLContext context) throws Exception {
    byte[] review = Fixtures.bytes(Fixtures.review("validate", "create-with-valid-policy"));
    return Tls.postJson(base, "validate", context, review).statusCode();
  }

  /** Replaces {@code target} by a copy of {@code source} in one rename, as kubelet does. */
  private static void replace(Path target, Path source) throws IOException {
    Path next = target.resolveSibling(target.getFileName() + ".next");
    Files.copy(source, next, StandardCopyOption.REPLACE_EXISTING);
    Files.move(next, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** WEBHOOK_CLIENT_CA names a copy of the old CA; a new CA and its client wait beside it. */
  public static class WithClientCa implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(new TestResourceEntry(TwoCas.class));
    }

    /** Two client CAs, each with a client certificate named apiserver. */
    public static class TwoCas implements QuarkusTestResourceLifecycleManager {
      @Override
      public Map<String, String> start() {
        for (Path dir : List.of(OLD, NEW)) {
          TestCertificates.deleteCa(dir);
          TestCertificates.generate(dir, "-c", "apiserver");
        }
        try {
          Files.createDirectories(CONFIGURED);
          replace(CONFIGURED.resolve("ca.crt"), OLD.resolve("ca.crt"));
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
        return Map.of(
            ClientCaConfigSourceFactory.CLIENT_CA, CONFIGURED.resolve("ca.crt").toString());
      }

      @Override
      public void stop() {}
    }
  }
}
