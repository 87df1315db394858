package io.calicowebhook.tls;

import io.calicowebhook.config.CalicoConfig;
import io.quarkus.runtime.Startup;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Singleton;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Optional client-certificate authentication of admission calls.
 *
 * <p>The HTTPS port requests (never requires) a client certificate, so that kubelet probes of
 * {@code /q/health} work without one. When a trust store is configured ({@code WEBHOOK_CLIENT_CA}
 * sets {@code quarkus.tls.trust-store.pem.certs}), the TLS handshake rejects certificates it did
 * not sign, and this check refuses admission calls that presented none (401) and, when {@code
 * WEBHOOK_CLIENT_NAMES} is set, those whose certificate carries none of the names (403). Checked at
 * start-up: names without a client CA refuse to start.
 */
@Singleton
@Startup
public class ClientCertificates {
  private final boolean required;
  private final ClientNames names;

  public ClientCertificates(TlsConfigurationRegistry registry, CalicoConfig config) {
    this.required = registry.getDefault().map(TlsConfiguration::getTrustStore).isPresent();
    this.names = ClientNames.parse(config.webhook().clientNames(), required);
  }

  /** Whether admission calls must present a client certificate. */
  public boolean required() {
    return required;
  }

  /** Why a caller may not make admission calls: the HTTP status and a short message. */
  public record Refusal(int status, String message) {}

  /**
   * Empty when {@code request} may make admission calls; else 401 when a certificate is required
   * and the caller presented none, 403 when it carries none of the client names.
   */
  public Optional<Refusal> refusal(HttpServerRequest request) {
    if (!required) {
      return Optional.empty();
    }
    Optional<X509Certificate> certificate = presentedVerified(request);
    if (certificate.isEmpty()) {
      return Optional.of(
          new Refusal(
              401, "client certificate required: present one signed by the configured client CA"));
    }
    if (names.enabled() && !names.accepts(certificate.get())) {
      return Optional.of(
          new Refusal(
              403,
              "client certificate not allowed: its subject CN and DNS names are none of the names"
                  + " in "
                  + ClientNames.VARIABLE));
    }
    return Optional.empty();
  }

  private static Optional<X509Certificate> presentedVerified(HttpServerRequest request) {
    SSLSession session = request.sslSession();
    if (session == null) {
      return Optional.empty();
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      return chain != null && chain.length > 0 && chain[0] instanceof X509Certificate leaf
          ? Optional.of(leaf)
          : Optional.empty();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }
}
