package io.calicowebhook.tls;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;

/**
 * A serving certificate chain and its private key, read from PEM without the password-protected
 * PKCS#12 store that Vert.x's {@code PemKeyCertOptions} builds for them: that store encrypts the
 * key with PBKDF2 (10,000 rounds of HMAC-SHA256) and decrypts it again for the key manager, which
 * is slow on a just-started JVM and paid again at each read. The key goes into an in-memory JKS
 * store instead, which is never written anywhere.
 *
 * <p>Key formats: PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY},
 * Helm's {@code genSignedCert}, cert-manager's default) and SEC1 EC ({@code BEGIN EC PRIVATE KEY}),
 * unencrypted, as Quarkus and Vert.x accept them.
 */
public final class PemKeys {
  private static final Pattern BLOCK =
      Pattern.compile(
          "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----", Pattern.DOTALL);
  private static final char[] IN_MEMORY = "in-memory".toCharArray();

  /** rsaEncryption, 1.2.840.113549.1.1.1, as DER. */
  private static final byte[] RSA_ALGORITHM = {
    0x30,
    0x0d,
    0x06,
    0x09,
    0x2a,
    (byte) 0x86,
    0x48,
    (byte) 0x86,
    (byte) 0xf7,
    0x0d,
    0x01,
    0x01,
    0x01,
    0x05,
    0x00
  };

  /** id-ecPublicKey, 1.2.840.10045.2.1, as DER. */
  private static final byte[] EC_PUBLIC_KEY = {
    0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01
  };

  private PemKeys() {}

  /** Every certificate in {@code pem}, in order: the served one first, then its chain. */
  public static X509Certificate[] certificates(byte[] pem) throws CertificateException {
    List<X509Certificate> chain = certificatesIn(pem);
    if (chain.isEmpty()) {
      throw new CertificateException("no certificate in the file");
    }
    return chain.toArray(X509Certificate[]::new);
  }

  /** Every certificate in {@code pem}, in order; none when it holds none. */
  static List<X509Certificate> certificatesIn(byte[] pem) throws CertificateException {
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    List<X509Certificate> all = new ArrayList<>();
    for (Certificate certificate : factory.generateCertificates(new ByteArrayInputStream(pem))) {
      all.add((X509Certificate) certificate);
    }
    return all;
  }

  /** The first private key in {@code pem}. */
  public static PrivateKey privateKey(byte[] pem) throws GeneralSecurityException {
    Matcher block = BLOCK.matcher(new String(pem, US_ASCII));
    while (block.find()) {
      String type = block.group(1);
      if (!type.endsWith("PRIVATE KEY")) {
        continue; // EC PARAMETERS, certificates
      }
      byte[] der = Base64.getMimeDecoder().decode(block.group(2));
      return switch (type) {
        case "PRIVATE KEY" -> pkcs8(der);
        case "RSA PRIVATE KEY" ->
            parse("RSA", DerEncoder.sequence(integerZero(), RSA_ALGORITHM, DerEncoder.octets(der)));
        case "EC PRIVATE KEY" ->
            parse(
                "EC",
                DerEncoder.sequence(
                    integerZero(),
                    DerEncoder.sequence(EC_PUBLIC_KEY, curveOf(der)),
                    DerEncoder.octets(der)));
        default ->
            throw new InvalidKeySpecException(
                "the key is " + type + "; only unencrypted keys are supported");
      };
    }
    throw new InvalidKeySpecException("no private key in the file");
  }

  /** A key manager for {@code key} and {@code chain}. */
  static KeyManager[] keyManagers(PrivateKey key, X509Certificate[] chain)
      throws GeneralSecurityException {
    KeyManagerFactory factory =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(store(key, chain), IN_MEMORY);
    return factory.getKeyManagers();
  }

  /** An in-memory JKS store holding {@code key} and {@code chain} as its one entry. */
  static KeyStore store(PrivateKey key, X509Certificate[] chain) throws GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("JKS");
    try {
      store.load(null, null);
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException(e); // an empty store reads nothing
    }
    store.setKeyEntry("serving", key, IN_MEMORY, chain);
    return store;
  }

  /** PKCS#8: the algorithm is named inside; RSA or EC, as the key factories accept. */
  private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
    try {
      return parse("RSA", der);
    } catch (InvalidKeySpecException notRsa) {
      return parse("EC", der);
    }
  }

  private static PrivateKey parse(String algorithm, byte[] pkcs8) throws GeneralSecurityException {
    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
  }

  /**
   * The named curve of a SEC1 {@code ECPrivateKey}: SEQUENCE { version, privateKey OCTET STRING,
   * [0] parameters (the curve's OID), [1] publicKey }.
   */
  private static byte[] curveOf(byte[] sec1) throws InvalidKeySpecException {
    Der outer = Der.at(sec1, 0);
    if (outer.tag() != 0x30) {
      throw new InvalidKeySpecException("the EC key is not a DER SEQUENCE");
    }
    int at = outer.contentStart();
    while (at < outer.end()) {
      Der field = Der.at(sec1, at);
      if (field.tag() == 0xa0) {
        Der oid = Der.at(sec1, field.contentStart());
        if (oid.tag() != 0x06) {
          throw new InvalidKeySpecException("the EC key names no curve by OID");
        }
        return java.util.Arrays.copyOfRange(sec1, oid.start(), oid.end());
      }
      at = field.end();
    }
    throw new InvalidKeySpecException("the EC key names no curve");
  }

  private static byte[] integerZero() {
    return new byte[] {0x02, 0x01, 0x00};
  }

  /**
   * One DER element of {@code der} at {@code start}: its tag, where its content starts and ends.
   */
  private record Der(int tag, int start, int contentStart, int end) {
    static Der at(byte[] der, int start) throws InvalidKeySpecException {
      if (start + 2 > der.length) {
        throw new InvalidKeySpecException("the key's DER ends early");
      }
      int tag = der[start] & 0xff;
      int first = der[start + 1] & 0xff;
      int at = start + 2;
      int length = first;
      if (first >= 0x80) {
        int bytes = first & 0x7f;
        if (bytes == 0 || bytes > 3 || at + bytes > der.length) {
          throw new InvalidKeySpecException("the key's DER has a bad length");
        }
        length = 0;
        for (int i = 0; i < bytes; i++) {
          length = (length << 8) | (der[at++] & 0xff);
        }
      }
      if (at + length > der.length) {
        throw new InvalidKeySpecException("the key's DER ends early");
      }
      return new Der(tag, start, at, at + length);
    }
  }
}
