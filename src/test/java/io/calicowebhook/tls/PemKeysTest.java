package io.calicowebhook.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reading PEM keys and chains without a password-protected key store, on files made by openssl:
 * what openssl writes around a key, chains, and clear refusals for what cannot be served. (Every
 * usual key format is loaded end to end in {@link ServingKeyManagerTest}.)
 */
class PemKeysTest {
  private static final Path DIR = Path.of("target", "test-certs", "pem-keys").toAbsolutePath();

  @BeforeAll
  static void dir() throws IOException {
    Files.createDirectories(DIR);
  }

  @Test
  void readsAnEcKeyAfterTheParametersBlockOpensslWritesBeforeIt() throws Exception {
    Path key = DIR.resolve("with-params.key");
    ServingKeyManagerTest.openssl(
        "ecparam", "-name", "secp384r1", "-genkey", "-out", key.toString());
    assertEquals(
        2, Files.readString(key).split("-----BEGIN ").length - 1, "EC PARAMETERS, then the key");

    PrivateKey read = PemKeys.privateKey(Files.readAllBytes(key));

    assertEquals("EC", read.getAlgorithm());
    assertEquals(
        "secp384r1",
        ((java.security.interfaces.ECPrivateKey) read).getParams().toString().split(" ")[0]);
  }

  @Test
  void keepsTheWholeChainInOrder() throws Exception {
    Path leaf = DIR.resolve("leaf.crt");
    Path other = DIR.resolve("other.crt");
    ServingKeyManagerTest.makePair("rsa", "PKCS8", leaf, DIR.resolve("leaf.key"));
    ServingKeyManagerTest.makePair("ec", "SEC1", other, DIR.resolve("other.key"));
    byte[] both =
        (Files.readString(leaf) + Files.readString(other)).getBytes(StandardCharsets.UTF_8);

    X509Certificate[] chain = PemKeys.certificates(both);

    assertEquals(2, chain.length);
    assertArrayEquals(
        PemKeys.certificates(Files.readAllBytes(leaf))[0].getEncoded(), chain[0].getEncoded());
    assertArrayEquals(
        PemKeys.certificates(Files.readAllBytes(other))[0].getEncoded(), chain[1].getEncoded());
  }

  @Test
  void refusesAnEncryptedKeyByName() throws Exception {
    Path plain = DIR.resolve("plain.key");
    Path encrypted = DIR.resolve("encrypted.key");
    ServingKeyManagerTest.openssl("genrsa", "-out", plain.toString(), "2048");
    ServingKeyManagerTest.openssl(
        "pkcs8",
        "-topk8",
        "-in",
        plain.toString(),
        "-passout",
        "pass:secret",
        "-out",
        encrypted.toString());

    InvalidKeySpecException refused =
        assertThrows(
            InvalidKeySpecException.class, () -> PemKeys.privateKey(Files.readAllBytes(encrypted)));

    assertEquals(
        "the key is ENCRYPTED PRIVATE KEY; only unencrypted keys are supported",
        refused.getMessage());
  }

  @Test
  void refusesAFileWithoutAKey() throws Exception {
    Path cert = DIR.resolve("only.crt");
    ServingKeyManagerTest.makePair("rsa", "PKCS8", cert, DIR.resolve("only.key"));

    InvalidKeySpecException refused =
        assertThrows(
            InvalidKeySpecException.class, () -> PemKeys.privateKey(Files.readAllBytes(cert)));
    assertEquals("no private key in the file", refused.getMessage());
    assertThrows(
        java.security.cert.CertificateException.class,
        () -> PemKeys.certificates("no certificate here".getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void aCutOrBrokenEcKeyIsAKeyErrorNeverAnotherFailure() throws Exception {
    Path key = DIR.resolve("cut.key");
    ServingKeyManagerTest.openssl(
        "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key.toString());
    String pem = Files.readString(key);
    String body = pem.replaceAll("-----[A-Z ]+-----|\\s", "");
    byte[] der = Base64.getDecoder().decode(body);

    for (int length = 0; length < der.length; length++) {
      byte[] cut = Arrays.copyOf(der, length);
      String broken =
          "-----BEGIN EC PRIVATE KEY-----\n"
              + Base64.getMimeEncoder().encodeToString(cut)
              + "\n-----END EC PRIVATE KEY-----\n";
      assertThrows(
          java.security.GeneralSecurityException.class,
          () -> PemKeys.privateKey(broken.getBytes(StandardCharsets.US_ASCII)),
          "cut at " + length);
    }
  }
}
