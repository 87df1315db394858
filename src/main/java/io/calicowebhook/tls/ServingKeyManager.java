package io.calicowebhook.tls;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.jboss.logging.Logger;

/**
 * The serving certificate and its key, read from their PEM files and read again by {@link
 * #reload()}: the HTTPS server keeps one SSL context for its whole life and asks this key manager
 * for the pair in every full handshake, so a rotated certificate is served without rebuilding
 * anything (Vert.x 4.5's rebuild drops the connections accepted while it runs).
 *
 * <p>Each pair that is loaded gets aliases of its own ({@code serving-N:...}). A handshake first
 * chooses an alias, then asks for its chain and key; one that chose the pair just replaced still
 * gets that pair's chain and key (the previous pair is kept until the next rotation), so no
 * handshake can mix the certificate of one pair with the key of another. A pair is only served when
 * its key signs what its certificate's public key verifies. Server side only: no client aliases.
 */
final class ServingKeyManager extends X509ExtendedKeyManager {
  private static final Logger LOG = Logger.getLogger(ServingKeyManager.class);
  private final PemSource<Pair> source;
  private volatile Pair current;
  private volatile Pair previous;
  private int generation;

  /** One certificate chain and its key, behind a JDK key manager that picks it by key type. */
  record Pair(String prefix, X509ExtendedKeyManager keys, PrivateKey key, X509Certificate[] chain) {
    /** The certificate served: the first of the chain. */
    X509Certificate leaf() {
      return chain[0];
    }

    String alias(String keysAlias) {
      return keysAlias == null ? null : prefix + keysAlias;
    }

    boolean owns(String alias) {
      return alias != null && alias.startsWith(prefix);
    }

    String keysAlias(String alias) {
      return alias.substring(prefix.length());
    }
  }

  /**
   * @throws IllegalStateException when the files cannot be read, do not parse or do not match
   */
  ServingKeyManager(Path certificate, Path key) {
    this(certificate, key, Optional.empty());
  }

  /**
   * @param startup served when the files cannot be loaded, until a reload finds a usable pair there
   * @throws IllegalStateException when neither the files nor {@code startup} give a usable pair
   */
  ServingKeyManager(Path certificate, Path key, Optional<StartupServingPair.Pem> startup) {
    this.source = new PemSource<>("serving certificate", List.of(certificate, key), this::pair);
    this.current =
        startup.isEmpty() ? source.load() : loadOr(List.of(certificate, key), startup.get());
  }

  private Pair loadOr(List<Path> paths, StartupServingPair.Pem startup) {
    try {
      return source.load();
    } catch (IllegalStateException notOnDisk) {
      LOG.infof(
          "serving the pair the service keeps in its Secret until the volume holds it (%s)",
          notOnDisk.getMessage());
      try {
        return pair(new PemFiles(paths, List.of(startup.certificate(), startup.key())));
      } catch (Exception e) {
        IllegalStateException failure =
            new IllegalStateException("the serving pair from the Secret is not usable either", e);
        failure.addSuppressed(notOnDisk);
        throw failure;
      }
    }
  }

  /** The pair on disk now, if it changed and is usable; from then on it is served. */
  Optional<X509Certificate> reload() {
    Optional<Pair> next = source.reload();
    next.ifPresent(
        pair -> {
          previous = current;
          current = pair;
        });
    return next.map(Pair::leaf);
  }

  /** The certificate served now. */
  X509Certificate served() {
    return current.leaf();
  }

  /** The pair served now as a key store of one entry (for Quarkus's TLS registry). */
  KeyStore keyStore() {
    Pair pair = current;
    try {
      return PemKeys.store(pair.key(), pair.chain());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot hold the serving certificate in a key store", e);
    }
  }

  private synchronized Pair pair(PemFiles files) throws Exception {
    X509Certificate[] chain = PemKeys.certificates(files.content(0));
    X509Certificate leaf = chain[0];
    PrivateKey key = PemKeys.privateKey(files.content(1));
    X509ExtendedKeyManager keys = extended(PemKeys.keyManagers(key, chain));
    String[] aliases = keys.getServerAliases(leaf.getPublicKey().getAlgorithm(), null);
    if (aliases == null || aliases.length == 0) {
      throw new KeyManagementException(
          "the key is not a " + leaf.getPublicKey().getAlgorithm() + " key like the certificate's");
    }
    requireMatch(keys.getPrivateKey(aliases[0]), leaf.getPublicKey());
    generation++;
    return new Pair("serving-" + generation + ":", keys, key, chain);
  }

  private static X509ExtendedKeyManager extended(KeyManager[] managers)
      throws KeyManagementException {
    if (managers.length > 0 && managers[0] instanceof X509ExtendedKeyManager keys) {
      return keys;
    }
    throw new KeyManagementException(
        "the JDK's default key manager algorithm gives no X509ExtendedKeyManager");
  }

  /** The key signs what the certificate's public key verifies: they are one pair. */
  private static void requireMatch(PrivateKey key, PublicKey certificateKey)
      throws GeneralSecurityException {
    byte[] probe = "calico-policy-webhook".getBytes(StandardCharsets.US_ASCII);
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          default -> key.getAlgorithm();
        };
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(key);
    signer.update(probe);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(certificateKey);
    verifier.update(probe);
    if (!verifier.verify(signature)) {
      throw new KeyManagementException("the key does not belong to the certificate");
    }
  }

  private Pair pairOf(String alias) {
    Pair now = current;
    if (now.owns(alias)) {
      return now;
    }
    Pair before = previous;
    return before != null && before.owns(alias) ? before : null;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    Pair now = current;
    return now.alias(now.keys().chooseEngineServerAlias(keyType, issuers, engine));
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    Pair now = current;
    return now.alias(now.keys().chooseServerAlias(keyType, issuers, socket));
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    Pair now = current;
    String[] aliases = now.keys().getServerAliases(keyType, issuers);
    if (aliases == null) {
      return null;
    }
    String[] ours = new String[aliases.length];
    for (int i = 0; i < aliases.length; i++) {
      ours[i] = now.alias(aliases[i]);
    }
    return ours;
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    Pair pair = pairOf(alias);
    return pair == null ? null : pair.keys().getCertificateChain(pair.keysAlias(alias));
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    Pair pair = pairOf(alias);
    return pair == null ? null : pair.keys().getPrivateKey(pair.keysAlias(alias));
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return null;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return null;
  }
}
