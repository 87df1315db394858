package io.calicowebhook.admission;

import io.netty.handler.ssl.OpenSsl;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * Serves the HTTPS port with BoringSSL (netty-tcnative) instead of the JDK's TLS engine wherever
 * its native library loads (Linux x86_64 and aarch64); elsewhere the JDK's engine serves, as
 * before. Only the engine changes: the protocols (TLS 1.3 and 1.2), the requested client
 * certificate, the client CA and certificate reload all come from the same Quarkus TLS
 * configuration. {@code bench/admission} measures the difference.
 */
@Singleton
public class OpenSslEngine implements HttpServerOptionsCustomizer {
  private static final Logger LOG = Logger.getLogger(OpenSslEngine.class);

  @Override
  public void customizeHttpsServer(HttpServerOptions options) {
    if (OpenSsl.isAvailable()) {
      options.setSslEngineOptions(new OpenSSLEngineOptions());
      LOG.infof("HTTPS served by %s (netty-tcnative)", OpenSsl.versionString());
    } else {
      LOG.infof(
          "HTTPS served by the JDK's TLS engine: OpenSSL unavailable (%s)",
          OpenSsl.unavailabilityCause());
    }
  }
}
