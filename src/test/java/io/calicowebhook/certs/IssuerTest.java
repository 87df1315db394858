package io.calicowebhook.certs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Certificates issued by the service with the JDK alone: parsed back by the JDK, and checked by
 * openssl, which shares no code with either, as a kube-apiserver would check them.
 */
class IssuerTest {
  private static final Path DIR = Path.of("target", "test-certs", "issuer").toAbsolutePath();
  private static final List<String> NAMES =
      CertsSettings.dnsNames("hooks", "webhooks", "cluster.local");
  private static final Instant NOW = Instant.now();

  @Test
  void caIsASelfSignedP256CaForSigningCertificatesOnly() throws Exception {
    KeyedCertificate ca = Issuer.ca("hooks CA", NOW, NOW.plus(Duration.ofDays(10)));
    X509Certificate certificate = ca.certificate();

    certificate.verify(certificate.getPublicKey());
    assertEquals(0, certificate.getBasicConstraints(), "CA:true, pathlen 0");
    assertEquals("CN=hooks CA", certificate.getSubjectX500Principal().getName());
    assertEquals(certificate.getSubjectX500Principal(), certificate.getIssuerX500Principal());
    boolean[] usage = certificate.getKeyUsage();
    assertTrue(usage[0] && usage[5] && usage[6], "digitalSignature, keyCertSign, cRLSign");
    assertEquals(
        256,
        ((ECPublicKey) certificate.getPublicKey())
            .getParams()
            .getCurve()
            .getField()
            .getFieldSize());
    assertEquals(NOW.getEpochSecond(), ca.notBefore().getEpochSecond());
    assertEquals(NOW.plus(Duration.ofDays(10)).getEpochSecond(), ca.notAfter().getEpochSecond());
  }

  @Test
  void servingCertificateNamesTheServiceAndVerifiesAgainstItsCa() throws Exception {
    KeyedCertificate ca = Issuer.ca("hooks CA", NOW, NOW.plus(Duration.ofDays(10)));
    KeyedCertificate serving = Issuer.serving(ca, NAMES, NOW, NOW.plus(Duration.ofDays(1)));
    X509Certificate certificate = serving.certificate();

    certificate.verify(ca.certificate().getPublicKey());
    assertTrue(Issuer.signedBy(certificate, ca.certificate()));
    assertEquals(-1, certificate.getBasicConstraints(), "not a CA");
    assertEquals(NAMES, Renewal.dnsNames(certificate));
    assertEquals(List.of("1.3.6.1.5.5.7.3.1"), certificate.getExtendedKeyUsage());
    assertEquals("CN=hooks", certificate.getSubjectX500Principal().getName());
    assertEquals(ca.certificate().getSubjectX500Principal(), certificate.getIssuerX500Principal());
    // the key written as PEM reads back as the certificate's own
    KeyedCertificate reread = KeyedCertificate.parse(serving.certificatePem(), serving.keyPem());
    assertEquals(certificate, reread.certificate());
  }

  @Test
  void anotherCaWithTheSameNameDidNotSignIt() throws Exception {
    KeyedCertificate ca = Issuer.ca("hooks CA", NOW, NOW.plus(Duration.ofDays(10)));
    KeyedCertificate other = Issuer.ca("hooks CA", NOW, NOW.plus(Duration.ofDays(10)));
    KeyedCertificate serving = Issuer.serving(ca, NAMES, NOW, NOW.plus(Duration.ofDays(1)));

    assertFalse(Issuer.signedBy(serving.certificate(), other.certificate()));
    assertNotEquals(ca.certificate().getSerialNumber(), other.certificate().getSerialNumber());
    assertThrows(
        GeneralSecurityException.class,
        () -> KeyedCertificate.parse(serving.certificatePem(), other.keyPem()),
        "a key that is not the certificate's");
  }

  @Test
  void opensslVerifiesTheChainForTheServiceNameAndServerUse() throws Exception {
    KeyedCertificate ca =
        Issuer.ca("hooks CA", NOW.minusSeconds(60), NOW.plus(Duration.ofDays(10)));
    KeyedCertificate serving =
        Issuer.serving(ca, NAMES, NOW.minusSeconds(60), NOW.plus(Duration.ofDays(1)));
    Files.createDirectories(DIR);
    Path caFile = DIR.resolve("ca.crt");
    Path servingFile = DIR.resolve("tls.crt");
    Files.writeString(caFile, ca.certificatePem());
    Files.writeString(servingFile, serving.certificatePem());

    for (String name : NAMES) {
      String out =
          openssl(
              "verify",
              "-x509_strict",
              "-purpose",
              "sslserver",
              "-verify_hostname",
              name,
              "-CAfile",
              caFile.toString(),
              servingFile.toString());
      assertEquals(servingFile + ": OK", out.strip(), name);
    }
    String wrongName =
        opensslFailing(
            "verify",
            "-verify_hostname",
            "other.webhooks.svc",
            "-CAfile",
            caFile.toString(),
            servingFile.toString());
    assertTrue(wrongName.contains("hostname mismatch"), wrongName);
  }

  @Test
  void timesAfter2049AreGeneralizedTime() throws Exception {
    Instant late = Instant.parse("2051-03-04T05:06:07Z");
    KeyedCertificate ca = Issuer.ca("hooks CA", NOW, late);

    assertEquals(late, ca.notAfter());
  }

  private static String openssl(String... args) throws IOException, InterruptedException {
    Result result = run(args);
    assertEquals(0, result.code, result.output);
    return result.output;
  }

  private static String opensslFailing(String... args) throws IOException, InterruptedException {
    Result result = run(args);
    assertNotEquals(0, result.code, result.output);
    return result.output;
  }

  private record Result(int code, String output) {}

  private static Result run(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readNBytes(64 * 1024);
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "openssl finished");
    return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }
}
