package io.calicowebhook.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLException;

/** Builds jetcd clients from {@link EtcdSettings}. */
public final class EtcdClients {
  private EtcdClients() {}

  /**
   * A client for {@code endpoints} with the TLS and authentication of {@code settings}. Requests
   * fail fast while etcd is unreachable (no wait for the connection), so the worker's own backoff
   * decides when to try again.
   */
  public static Client build(EtcdSettings settings, List<URI> endpoints) {
    ClientBuilder builder =
        Client.builder()
            .endpoints(endpoints.toArray(URI[]::new))
            .waitForReady(false)
            .maxInboundMessageSize(settings.maxResponseBytes())
            .connectTimeout(Duration.ofSeconds(2));
    settings.username().ifPresent(user -> builder.user(ByteSequence.from(user, UTF_8)));
    settings.password().ifPresent(pass -> builder.password(ByteSequence.from(pass, UTF_8)));
    if (settings.tls()) {
      tls(builder, settings);
    }
    return builder.build();
  }

  private static void tls(ClientBuilder builder, EtcdSettings settings) {
    try {
      builder.sslContext(
          ssl -> {
            settings.caFile().ifPresent(ca -> ssl.trustManager(ca.toFile()));
            settings
                .certFile()
                .ifPresent(
                    cert -> ssl.keyManager(cert.toFile(), settings.keyFile().get().toFile()));
          });
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalStateException(
          "cannot use the etcd TLS files (ETCD_CA_FILE, ETCD_CERT_FILE, ETCD_KEY_FILE; the key must"
              + " be PEM PKCS#8): "
              + e.getMessage(),
          e);
    }
  }
}
