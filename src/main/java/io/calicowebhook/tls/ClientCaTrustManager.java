package io.calicowebhook.tls;

import java.net.Socket;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The client CA ({@code WEBHOOK_CLIENT_CA}), read from its PEM files and read again by {@link
 * #reload()}, so that a rotated CA checks client certificates from then on without rebuilding the
 * server's SSL context. Checks are the JDK's PKIX checks against the CAs in the files.
 *
 * <p>It names no accepted issuers: the certificate request carries no list of CAs, and a client
 * presents its certificate whatever CA signed it (the kube-apiserver has one for the webhook).
 * BoringSSL would copy such a list into its context once, so a rotated CA would be checked but not
 * named; the JDK does not send the list in TLS 1.3 anyway.
 */
final class ClientCaTrustManager extends X509ExtendedTrustManager {
  private static final X509Certificate[] NO_ISSUERS = {};

  private final PemSource<X509ExtendedTrustManager> source;
  private volatile X509ExtendedTrustManager current;

  /**
   * @throws IllegalStateException when a file cannot be read or holds no certificate
   */
  ClientCaTrustManager(List<Path> files) {
    this.source = new PemSource<>("client CA", files, ClientCaTrustManager::trust);
    this.current = source.load();
  }

  /** Whether the files changed and the new CAs check client certificates from now on. */
  boolean reload() {
    return source.reload().map(next -> current = next).isPresent();
  }

  private static X509ExtendedTrustManager trust(PemFiles files) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    for (byte[] pem : files.contents()) {
      for (X509Certificate ca : PemKeys.certificatesIn(pem)) {
        store.setCertificateEntry("ca-" + store.size(), ca);
      }
    }
    if (store.size() == 0) {
      throw new KeyStoreException("no certificate in the file");
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    for (TrustManager manager : trust.getTrustManagers()) {
      if (manager instanceof X509ExtendedTrustManager x509) {
        return x509;
      }
    }
    throw new KeyStoreException("the JDK's default trust manager is no X509ExtendedTrustManager");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    current.checkClientTrusted(chain, authType, engine);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    current.checkClientTrusted(chain, authType, socket);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    current.checkClientTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    current.checkServerTrusted(chain, authType, engine);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    current.checkServerTrusted(chain, authType, socket);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    current.checkServerTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return NO_ISSUERS;
  }
}
