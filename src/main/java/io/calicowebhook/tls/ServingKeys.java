package io.calicowebhook.tls;

import io.calicowebhook.config.CalicoConfig;
import io.quarkus.tls.runtime.KeyStoreAndKeyCertOptions;
import io.quarkus.tls.runtime.KeyStoreProvider;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The serving certificate and key ({@code WEBHOOK_TLS_CERT}, {@code WEBHOOK_TLS_KEY}), read once at
 * start-up and again by {@link ServingTls}'s reloads, and the key store provider of Quarkus's
 * default TLS configuration. Quarkus would otherwise read the PEM files itself into a
 * PBKDF2-protected PKCS#12 store (slow on a just-started JVM) only for {@link ServingTls} to
 * replace what it made. A file that is missing, does not parse or holds a key that is not the
 * certificate's stops the start, unless the service makes its own certificates ({@link
 * StartupServingPair}) and has a pair for the time until the files hold one.
 */
@Singleton
class ServingKeys implements KeyStoreProvider {
  private final ServingKeyManager keys;

  public ServingKeys(CalicoConfig config, Instance<StartupServingPair> startup) {
    this.keys =
        new ServingKeyManager(
            Path.of(config.webhook().tlsCert()),
            Path.of(config.webhook().tlsKey()),
            startup.isResolvable() ? startup.get().startupPair() : Optional.empty());
  }

  /** The key manager the HTTPS port serves from. */
  ServingKeyManager manager() {
    return keys;
  }

  @Override
  public KeyStoreAndKeyCertOptions getKeyStore(Vertx vertx) {
    return new KeyStoreAndKeyCertOptions(keys.keyStore(), KeyCertOptions.wrap(keys));
  }
}
