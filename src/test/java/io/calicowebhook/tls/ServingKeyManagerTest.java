package io.calicowebhook.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calicowebhook.admission.Tls;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The serving key manager on real PEM files made by openssl: the key formats operators have, a
 * rotation caught half done, a broken file, and a handshake that chose its pair just before a
 * rotation.
 */
class ServingKeyManagerTest {
  private static final Path DIR = Path.of("target", "test-certs", "key-manager").toAbsolutePath();
  private static final Path CERT = DIR.resolve("tls.crt");
  private static final Path KEY = DIR.resolve("tls.key");

  @BeforeEach
  void freshPair() throws IOException {
    Files.createDirectories(DIR);
    makePair("rsa", "PKCS8", CERT, KEY);
  }

  /** The formats of Helm's genSignedCert (PKCS#1), cert-manager (PKCS#1, SEC1 EC) and openssl. */
  @ParameterizedTest
  @CsvSource({"rsa, PKCS8", "rsa, PKCS1", "ec, PKCS8", "ec, SEC1"})
  void loadsEveryUsualKeyFormat(String type, String format) throws IOException {
    makePair(type, format, CERT, KEY);

    ServingKeyManager keys = new ServingKeyManager(CERT, KEY);

    assertEquals(serialOnDisk(), keys.served().getSerialNumber());
    String alias = keys.chooseEngineServerAlias(type.equals("ec") ? "EC" : "RSA", null, null);
    assertNotNull(alias, "chooses the pair for its key type");
    assertEquals(serialOnDisk(), keys.getCertificateChain(alias)[0].getSerialNumber());
    assertNotNull(keys.getPrivateKey(alias));
  }

  @Test
  void refusesToStartWithAKeyThatIsNotTheCertificates() throws IOException {
    makePair("rsa", "PKCS8", CERT, DIR.resolve("unused.key"));

    IllegalStateException refused =
        assertThrows(IllegalStateException.class, () -> new ServingKeyManager(CERT, KEY));
    assertEquals(
        "cannot load the serving certificate from "
            + CERT
            + " and "
            + KEY
            + ": the key does not belong to the certificate",
        refused.getMessage());
  }

  @Test
  void servesARotatedPairOnlyOnceBothFilesAreNew() throws IOException {
    ServingKeyManager keys = new ServingKeyManager(CERT, KEY);
    BigInteger first = keys.served().getSerialNumber();
    Path nextCert = DIR.resolve("next.crt");
    Path nextKey = DIR.resolve("next.key");
    makePair("rsa", "PKCS8", nextCert, nextKey);

    replace(KEY, nextKey);
    assertTrue(keys.reload().isEmpty(), "new key, old certificate: not a pair");
    assertEquals(first, keys.served().getSerialNumber());

    replace(CERT, nextCert);
    assertEquals(serialOnDisk(), keys.reload().orElseThrow().getSerialNumber());
    assertEquals(serialOnDisk(), keys.served().getSerialNumber());
    assertNotEquals(first, serialOnDisk());
    assertTrue(keys.reload().isEmpty(), "unchanged files: nothing new");
  }

  @Test
  void keepsServingThroughAHalfWrittenOrMissingFile() throws IOException {
    ServingKeyManager keys = new ServingKeyManager(CERT, KEY);
    BigInteger served = keys.served().getSerialNumber();
    byte[] whole = Files.readAllBytes(CERT);

    Files.write(CERT, new String(whole, StandardCharsets.US_ASCII).substring(0, 300).getBytes());
    assertTrue(keys.reload().isEmpty(), "half a certificate");
    Files.delete(CERT);
    assertTrue(keys.reload().isEmpty(), "no certificate");
    assertEquals(served, keys.served().getSerialNumber());

    Files.write(CERT, whole);
    assertTrue(keys.reload().isPresent(), "whole again: served (same pair, read anew)");
    assertEquals(served, keys.served().getSerialNumber());
  }

  @Test
  void handshakeThatChoseThePreviousPairGetsThatPairWhole() throws IOException {
    ServingKeyManager keys = new ServingKeyManager(CERT, KEY);
    String before = keys.chooseEngineServerAlias("RSA", null, null);
    X509Certificate[] oldChain = keys.getCertificateChain(before);
    PrivateKey oldKey = keys.getPrivateKey(before);

    makePair("rsa", "PKCS8", CERT, KEY);
    keys.reload().orElseThrow();
    String after = keys.chooseEngineServerAlias("RSA", null, null);

    assertNotEquals(before, after);
    assertArrayEquals(oldChain, keys.getCertificateChain(before));
    assertEquals(oldKey, keys.getPrivateKey(before));
    assertEquals(serialOnDisk(), keys.getCertificateChain(after)[0].getSerialNumber());
    assertNotEquals(oldKey, keys.getPrivateKey(after));

    makePair("rsa", "PKCS8", CERT, KEY);
    keys.reload().orElseThrow();
    assertNull(keys.getCertificateChain(before), "two rotations back: gone");
    assertNull(keys.getPrivateKey("unknown"));
  }

  @Test
  void servesNoClientSide() {
    ServingKeyManager keys = new ServingKeyManager(CERT, KEY);
    assertNull(keys.chooseEngineClientAlias(new String[] {"RSA"}, null, null));
    assertNull(keys.getClientAliases("RSA", null));
  }

  @Test
  void refusesAReloadPeriodUnderOneSecond() {
    assertEquals(Duration.ofSeconds(1), ServingTls.checkedPeriod(Duration.ofSeconds(1)));
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class, () -> ServingTls.checkedPeriod(Duration.ofMillis(500)));
    assertEquals(
        "WEBHOOK_TLS_RELOAD_PERIOD (calico.webhook.tls-reload-period) must be at least 1s, not"
            + " PT0.5S",
        refused.getMessage());
  }

  /**
   * Service-owned certificates at a first start: the volume holds no pair yet, so the pair the
   * service just put into its Secret is served, until kubelet brings it (or a later one) to disk.
   */
  @Test
  void servesTheStartupPairUntilTheFilesHoldOne() throws IOException {
    Path other = DIR.resolve("startup");
    Files.createDirectories(other);
    makePair("ec", "PKCS8", other.resolve("tls.crt"), other.resolve("tls.key"));
    StartupServingPair.Pem startup =
        new StartupServingPair.Pem(
            Files.readAllBytes(other.resolve("tls.crt")),
            Files.readAllBytes(other.resolve("tls.key")));
    Files.delete(CERT);
    Files.delete(KEY);

    ServingKeyManager keys = new ServingKeyManager(CERT, KEY, java.util.Optional.of(startup));
    BigInteger startupSerial = keys.served().getSerialNumber();
    assertTrue(keys.reload().isEmpty(), "still nothing on disk");
    assertEquals(startupSerial, keys.served().getSerialNumber());

    makePair("ec", "PKCS8", CERT, KEY); // kubelet's sync
    assertEquals(serialOnDisk(), keys.reload().orElseThrow().getSerialNumber());
    assertNotEquals(startupSerial, keys.served().getSerialNumber());
  }

  @Test
  void filesThatHoldAPairWinOverTheStartupPair() throws IOException {
    StartupServingPair.Pem unusable = new StartupServingPair.Pem(new byte[0], new byte[0]);

    ServingKeyManager keys = new ServingKeyManager(CERT, KEY, java.util.Optional.of(unusable));

    assertEquals(serialOnDisk(), keys.served().getSerialNumber());
  }

  @Test
  void neitherFilesNorAUsableStartupPairStopsTheStart() throws IOException {
    Files.delete(CERT);
    StartupServingPair.Pem unusable = new StartupServingPair.Pem(new byte[0], new byte[0]);

    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class,
            () -> new ServingKeyManager(CERT, KEY, java.util.Optional.of(unusable)));
    assertTrue(refused.getMessage().contains("from the Secret"), refused.getMessage());
    assertEquals(1, refused.getSuppressed().length, "the files' failure is kept");
  }

  private static BigInteger serialOnDisk() {
    return Tls.certificate(CERT).getSerialNumber();
  }

  /**
   * A self-signed certificate and its key, made by openssl: {@code rsa} or {@code ec} (P-256), the
   * key as {@code PKCS8} ({@code BEGIN PRIVATE KEY}), {@code PKCS1} ({@code BEGIN RSA PRIVATE KEY})
   * or {@code SEC1} ({@code BEGIN EC PRIVATE KEY}).
   */
  static void makePair(String type, String format, Path cert, Path key) throws IOException {
    Files.createDirectories(key.toAbsolutePath().getParent());
    Path raw = key.resolveSibling(key.getFileName() + ".raw");
    if (type.equals("ec")) {
      openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", raw.toString());
    } else {
      openssl("genrsa", "-out", raw.toString(), "2048");
    }
    openssl(
        "req",
        "-x509",
        "-new",
        "-key",
        raw.toString(),
        "-subj",
        "/CN=localhost",
        "-days",
        "1",
        "-out",
        cert.toString());
    String converter = type.equals("ec") ? "ec" : "rsa";
    switch (format) {
      case "PKCS8" ->
          openssl("pkcs8", "-topk8", "-nocrypt", "-in", raw.toString(), "-out", key.toString());
      case "PKCS1" ->
          openssl(converter, "-traditional", "-in", raw.toString(), "-out", key.toString());
      case "SEC1" -> openssl(converter, "-in", raw.toString(), "-out", key.toString());
      default -> throw new IllegalArgumentException(format);
    }
    String pem = Files.readString(key);
    String header =
        switch (format) {
          case "PKCS8" -> "BEGIN PRIVATE KEY";
          case "PKCS1" -> "BEGIN RSA PRIVATE KEY";
          default -> "BEGIN EC PRIVATE KEY";
        };
    assertTrue(pem.contains(header), "openssl wrote " + format + ": " + pem.lines().findFirst());
  }

  private static void replace(Path target, Path source) throws IOException {
    Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  static void openssl(String... arguments) throws IOException {
    List<String> command = new java.util.ArrayList<>(List.of("openssl"));
    command.addAll(List.of(arguments));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("openssl failed: " + command);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
