package io.calicowebhook.tls;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Makes client-certificate authentication optional: sets the HTTPS trust store to the file named by
 * {@code WEBHOOK_CLIENT_CA} only when that is set. (An empty {@code
 * quarkus.tls.trust-store.pem.certs} is not "no trust store" to Quarkus but a start-up error, so
 * the property cannot simply default to empty.) Ordinal 275: above {@code application.properties},
 * below environment variables, so {@code QUARKUS_TLS_TRUST_STORE_PEM_CERTS} still wins.
 */
public class ClientCaConfigSourceFactory implements ConfigSourceFactory {
  public static final String CLIENT_CA = "WEBHOOK_CLIENT_CA";
  static final String TRUST_STORE_CERTS = "quarkus.tls.trust-store.pem.certs";
  private static final int ORDINAL = 275;

  @Override
  public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
    ConfigValue clientCa = context.getValue(CLIENT_CA);
    if (clientCa == null || clientCa.getValue() == null || clientCa.getValue().isBlank()) {
      return List.of();
    }
    return List.of(
        new PropertiesConfigSource(
            Map.of(TRUST_STORE_CERTS, clientCa.getValue().trim()), "webhook-client-ca", ORDINAL));
  }
}
