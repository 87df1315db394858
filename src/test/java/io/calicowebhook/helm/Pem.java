package io.calicowebhook.helm;

import io.calicowebhook.tls.PemKeys;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

/** Reads the certificates and keys the chart renders, with the service's own PEM reader. */
final class Pem {
  private Pem() {}

  static String fromBase64(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
  }

  /** Every certificate in a PEM bundle, in order. */
  static List<X509Certificate> certificates(String pem) throws GeneralSecurityException {
    return List.of(PemKeys.certificates(pem.getBytes(StandardCharsets.US_ASCII)));
  }

  static X509Certificate certificate(String pem) throws GeneralSecurityException {
    List<X509Certificate> all = certificates(pem);
    if (all.size() != 1) {
      throw new IllegalArgumentException("expected one certificate, found " + all.size());
    }
    return all.get(0);
  }

  /** An RSA key in PKCS#1 ("RSA PRIVATE KEY", what sprig writes) or PKCS#8 ("PRIVATE KEY"). */
  static PrivateKey rsaKey(String pem) throws GeneralSecurityException {
    PrivateKey key = PemKeys.privateKey(pem.getBytes(StandardCharsets.US_ASCII));
    if (!key.getAlgorithm().equals("RSA")) {
      throw new IllegalArgumentException("expected an RSA key, found " + key.getAlgorithm());
    }
    return key;
  }
}
