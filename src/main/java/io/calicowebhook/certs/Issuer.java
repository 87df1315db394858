package io.calicowebhook.certs;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.calicowebhook.tls.DerEncoder;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Issues the service's own certificates in-process, with the JDK alone: ECDSA P-256 keys, X.509 v3
 * certificates encoded by {@link Der} and signed with SHA-256. A CA is self-signed ({@code
 * basicConstraints CA:true, pathlen 0}, key usage certificate and CRL signing); a serving
 * certificate is signed by a CA, names the Service's DNS names as subject alternative names and is
 * for server authentication only. Every certificate is parsed back by the JDK and its signature
 * verified before it is handed out.
 */
final class Issuer {
  private static final String SIGNATURE = "SHA256withECDSA";
  private static final String ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
  private static final String COMMON_NAME = "2.5.4.3";
  private static final String SUBJECT_KEY_ID = "2.5.29.14";
  private static final String KEY_USAGE = "2.5.29.15";
  private static final String SUBJECT_ALT_NAME = "2.5.29.17";
  private static final String BASIC_CONSTRAINTS = "2.5.29.19";
  private static final String AUTHORITY_KEY_ID = "2.5.29.35";
  private static final String EXT_KEY_USAGE = "2.5.29.37";
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

  /** digitalSignature (bit 0), keyCertSign (5), cRLSign (6): 1000 0110, one unused bit. */
  private static final byte[] CA_KEY_USAGE = {(byte) 0x86};

  /** digitalSignature (bit 0) alone: 1000 0000, seven unused bits. */
  private static final byte[] SERVING_KEY_USAGE = {(byte) 0x80};

  private static final SecureRandom RANDOM = new SecureRandom();

  private Issuer() {}

  /**
   * A new self-signed CA named {@code commonName}, valid from {@code notBefore} to {@code
   * notAfter}.
   */
  static KeyedCertificate ca(String commonName, Instant notBefore, Instant notAfter)
      throws GeneralSecurityException {
    KeyPair keys = newKeys();
    byte[] keyId = keyId(keys.getPublic());
    byte[] extensions =
        DerEncoder.sequence(
            extension(
                BASIC_CONSTRAINTS,
                true,
                DerEncoder.sequence(DerEncoder.bool(true), DerEncoder.integer(BigInteger.ZERO))),
            extension(KEY_USAGE, true, DerEncoder.bits(CA_KEY_USAGE, 1)),
            extension(SUBJECT_KEY_ID, false, DerEncoder.octets(keyId)));
    byte[] name = name(commonName);
    X509Certificate certificate =
        sign(name, name, keys.getPublic(), notBefore, notAfter, extensions, keys.getPrivate());
    certificate.verify(keys.getPublic());
    return new KeyedCertificate(certificate, keys.getPrivate());
  }

  /**
   * A new serving certificate for {@code dnsNames} (the first is also its common name), signed by
   * {@code ca}, valid from {@code notBefore} to {@code notAfter}.
   */
  static KeyedCertificate serving(
      KeyedCertificate ca, List<String> dnsNames, Instant notBefore, Instant notAfter)
      throws GeneralSecurityException {
    KeyPair keys = newKeys();
    byte[][] names =
        dnsNames.stream()
            .map(dns -> DerEncoder.implicit(2, dns.getBytes(US_ASCII)))
            .toArray(byte[][]::new);
    byte[] extensions =
        DerEncoder.sequence(
            extension(BASIC_CONSTRAINTS, true, DerEncoder.sequence()),
            extension(KEY_USAGE, true, DerEncoder.bits(SERVING_KEY_USAGE, 7)),
            extension(EXT_KEY_USAGE, false, DerEncoder.sequence(DerEncoder.oid(SERVER_AUTH))),
            extension(SUBJECT_ALT_NAME, false, DerEncoder.sequence(names)),
            extension(SUBJECT_KEY_ID, false, DerEncoder.octets(keyId(keys.getPublic()))),
            extension(
                AUTHORITY_KEY_ID,
                false,
                DerEncoder.sequence(
                    DerEncoder.implicit(0, keyId(ca.certificate().getPublicKey())))));
    X509Certificate certificate =
        sign(
            name(dnsNames.get(0)),
            ca.certificate().getSubjectX500Principal().getEncoded(),
            keys.getPublic(),
            notBefore,
            notAfter,
            extensions,
            ca.key());
    certificate.verify(ca.certificate().getPublicKey());
    return new KeyedCertificate(certificate, keys.getPrivate());
  }

  /** Whether {@code certificate} was signed by the key of {@code ca}. */
  static boolean signedBy(X509Certificate certificate, X509Certificate ca) {
    if (!certificate.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
      return false;
    }
    try {
      certificate.verify(ca.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** The key signs what the certificate's public key verifies: they are one pair. */
  static void requireMatch(PrivateKey key, X509Certificate certificate)
      throws GeneralSecurityException {
    byte[] probe = "calico-policy-webhook".getBytes(US_ASCII);
    Signature signer = Signature.getInstance(SIGNATURE);
    signer.initSign(key);
    signer.update(probe);
    Signature verifier = Signature.getInstance(SIGNATURE);
    verifier.initVerify(certificate.getPublicKey());
    verifier.update(probe);
    if (!verifier.verify(signer.sign())) {
      throw new SignatureException("the key does not belong to the certificate");
    }
  }

  private static KeyPair newKeys() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }

  private static X509Certificate sign(
      byte[] subject,
      byte[] issuer,
      PublicKey publicKey,
      Instant notBefore,
      Instant notAfter,
      byte[] extensions,
      PrivateKey signingKey)
      throws GeneralSecurityException {
    byte[] algorithm = DerEncoder.sequence(DerEncoder.oid(ECDSA_WITH_SHA256));
    byte[] tbs =
        DerEncoder.sequence(
            DerEncoder.explicit(0, DerEncoder.integer(BigInteger.TWO)), // v3
            DerEncoder.integer(serial()),
            algorithm,
            issuer,
            DerEncoder.sequence(DerEncoder.time(notBefore), DerEncoder.time(notAfter)),
            subject,
            publicKey.getEncoded(), // SubjectPublicKeyInfo, as X.509 wants it
            DerEncoder.explicit(3, extensions));
    Signature signer = Signature.getInstance(SIGNATURE);
    signer.initSign(signingKey);
    signer.update(tbs);
    byte[] certificate = DerEncoder.sequence(tbs, algorithm, DerEncoder.bits(signer.sign()));
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(certificate));
  }

  /** 127 random bits: positive, unique in practice, within RFC 5280's 20 octets. */
  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).setBit(0);
  }

  /** A Name of one common name. */
  private static byte[] name(String commonName) {
    return DerEncoder.sequence(
        DerEncoder.set(
            DerEncoder.sequence(DerEncoder.oid(COMMON_NAME), DerEncoder.utf8(commonName))));
  }

  private static byte[] extension(String oid, boolean critical, byte[] value) {
    return critical
        ? DerEncoder.sequence(DerEncoder.oid(oid), DerEncoder.bool(true), DerEncoder.octets(value))
        : DerEncoder.sequence(DerEncoder.oid(oid), DerEncoder.octets(value));
  }

  /** RFC 5280 4.2.1.2 method 1 in spirit: SHA-1 of the encoded public key (20 bytes). */
  private static byte[] keyId(PublicKey key) throws GeneralSecurityException {
    return Arrays.copyOf(MessageDigest.getInstance("SHA-1").digest(key.getEncoded()), 20);
  }
}
