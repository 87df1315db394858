package io.calicowebhook.admission;

import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Singleton;
import java.security.cert.Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Optional client-certificate authentication of admission calls.
 *
 * <p>The HTTPS port requests (never requires) a client certificate, so that kubelet probes of
 * {@code /q/health} work without one. When a trust store is configured ({@code WEBHOOK_CLIENT_CA}
 * sets {@code quarkus.tls.trust-store.pem.certs}), the TLS handshake rejects certificates it did
 * not sign, and this check refuses admission calls that presented none.
 */
@Singleton
public class ClientCertificates {
  private final boolean required;

  public ClientCertificates(TlsConfigurationRegistry registry) {
    this.required = registry.getDefault().map(TlsConfiguration::getTrustStore).isPresent();
  }

  /** Whether admission calls must present a client certificate. */
  public boolean required() {
    return required;
  }

  /**
   * @throws BadInputException 401 when a certificate is required and the caller presented none
   */
  public void check(HttpServerRequest request) {
    if (required && !presentedVerified(request)) {
      throw new BadInputException(
          401, "client certificate required: present one signed by the configured client CA");
    }
  }

  private static boolean presentedVerified(HttpServerRequest request) {
    SSLSession session = request.sslSession();
    if (session == null) {
      return false;
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      return chain != null && chain.length > 0;
    } catch (SSLPeerUnverifiedException e) {
      return false;
    }
  }
}
