package io.calicowebhook.certs;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.calicowebhook.tls.PemKeys;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/** A certificate and its private key, as the service issues and stores them. */
record KeyedCertificate(X509Certificate certificate, PrivateKey key) {
  /** The certificate as one PEM block. */
  String certificatePem() {
    return pem(certificate);
  }

  /** {@code certificate} as one PEM block. */
  static String pem(X509Certificate certificate) {
    try {
      return pem("CERTIFICATE", certificate.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("a certificate the JDK parsed cannot be encoded", e);
    }
  }

  /** The key as an unencrypted PKCS#8 PEM block ({@code BEGIN PRIVATE KEY}). */
  String keyPem() {
    return pem("PRIVATE KEY", key.getEncoded());
  }

  Instant notBefore() {
    return certificate.getNotBefore().toInstant();
  }

  Instant notAfter() {
    return certificate.getNotAfter().toInstant();
  }

  Duration lifetime() {
    return Duration.between(notBefore(), notAfter());
  }

  /**
   * Reads a pair from its PEM texts.
   *
   * @throws GeneralSecurityException when either does not parse or the key is not the certificate's
   */
  static KeyedCertificate parse(String certificatePem, String keyPem)
      throws GeneralSecurityException {
    X509Certificate certificate = PemKeys.certificates(certificatePem.getBytes(US_ASCII))[0];
    PrivateKey key = PemKeys.privateKey(keyPem.getBytes(US_ASCII));
    Issuer.requireMatch(key, certificate);
    return new KeyedCertificate(certificate, key);
  }

  static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }
}
