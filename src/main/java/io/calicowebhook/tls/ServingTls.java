package io.calicowebhook.tls;

import io.calicowebhook.config.CalicoConfig;
import io.netty.channel.epoll.Epoll;
import io.netty.handler.ssl.OpenSsl;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.TrustOptions;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The HTTPS port's TLS: which engine serves it, and the certificate reload.
 *
 * <p>Engine: BoringSSL (netty-tcnative, faster than the JDK's engine, see bench/admission) wherever
 * its native library loads (Linux and macOS on x86_64 and aarch64, glibc), else the JDK's engine;
 * the log says which at start-up. {@code -Dio.netty.handler.ssl.noOpenSsl=true} forces the JDK's.
 * Protocols (TLS 1.3 and 1.2), the requested client certificate and the client CA are the same on
 * both. Sockets: epoll (netty-transport-native-epoll) on Linux, else Java NIO; {@code
 * -Dio.netty.transport.noNative=true} forces NIO. The same log line names both.
 *
 * <p>Reload: the serving certificate, its key and the client CA are read by key and trust managers
 * of our own ({@link ServingKeyManager}, {@link ClientCaTrustManager}) that read the files again
 * every {@code WEBHOOK_TLS_RELOAD_PERIOD} and swap what they serve in one step. Quarkus's own
 * reload is not used: it rebuilds the server's SSL context, and Vert.x 4.5 drops the connections
 * accepted meanwhile ({@code TCPServerBase.updateSSLOptions}). The files are named by {@code
 * WEBHOOK_TLS_CERT} and {@code WEBHOOK_TLS_KEY} ({@code calico.webhook.tls-cert}, {@code tls-key})
 * and read at start-up by {@link ServingKeys}, the key store provider of Quarkus's default TLS
 * configuration: a file that is missing, does not parse or holds a key that is not the
 * certificate's stops the start.
 */
@Singleton
class ServingTls implements HttpServerOptionsCustomizer {
  private static final Logger LOG = Logger.getLogger(ServingTls.class);

  /** Shortest reload period: the files are read whole each time. */
  static final Duration MIN_RELOAD_PERIOD = Duration.ofSeconds(1);

  private final Vertx vertx;
  private final Duration period;
  private final ServingKeyManager keys;
  private final Optional<ClientCaTrustManager> clientCa;
  private long timer = -1;

  public ServingTls(
      Vertx vertx,
      CalicoConfig config,
      ServingKeys serving,
      @ConfigProperty(name = "quarkus.tls.trust-store.pem.certs") Optional<List<Path>> clientCa) {
    this.vertx = vertx;
    this.period = checkedPeriod(config.webhook().tlsReloadPeriod());
    this.keys = serving.manager();
    this.clientCa = clientCa.map(ClientCaTrustManager::new);
  }

  static Duration checkedPeriod(Duration period) {
    if (period.compareTo(MIN_RELOAD_PERIOD) < 0) {
      throw new IllegalArgumentException(
          "WEBHOOK_TLS_RELOAD_PERIOD (calico.webhook.tls-reload-period) must be at least 1s, not "
              + period);
    }
    return period;
  }

  @Override
  public void customizeHttpsServer(HttpServerOptions options) {
    options.setKeyCertOptions(KeyCertOptions.wrap(keys));
    clientCa.ifPresent(trust -> options.setTrustOptions(TrustOptions.wrap(trust)));
    options.setSslEngineOptions(engine(sockets()));
    if (timer == -1) {
      timer =
          vertx.setPeriodic(period.toMillis(), id -> vertx.executeBlocking(this::reload, false));
    }
  }

  private static SSLEngineOptions engine(String sockets) {
    if (OpenSSLEngineOptions.isAvailable()) {
      LOG.infof("HTTPS served by %s (netty-tcnative), %s", OpenSsl.versionString(), sockets);
      return new OpenSSLEngineOptions();
    }
    LOG.infof(
        "HTTPS served by the JDK's TLS engine (BoringSSL from netty-tcnative is unavailable: %s), %s",
        OpenSsl.unavailabilityCause(), sockets);
    return new JdkSSLEngineOptions();
  }

  /** Which transport Vert.x uses for its sockets: epoll where it loads, else Java NIO. */
  private String sockets() {
    if (vertx.isNativeTransportEnabled()) {
      return "sockets by epoll";
    }
    Throwable cause = vertx.unavailableNativeTransportCause();
    if (cause == null) { // Vert.x keeps no cause when Netty's own check said no
      cause = Epoll.unavailabilityCause();
    }
    return "sockets by Java NIO (epoll is unavailable: " + cause + ")";
  }

  /** Reads the files again; whatever changed and is usable is served from now on. */
  Void reload() {
    keys.reload()
        .ifPresent(
            served ->
                LOG.infof(
                    "serving certificate reloaded: %s, serial %s, valid until %s",
                    served.getSubjectX500Principal().getName(),
                    served.getSerialNumber().toString(16),
                    served.getNotAfter().toInstant()));
    clientCa.filter(ClientCaTrustManager::reload).ifPresent(ca -> LOG.info("client CA reloaded"));
    return null;
  }

  @PreDestroy
  void stop() {
    if (timer != -1) {
      vertx.cancelTimer(timer);
    }
  }
}
