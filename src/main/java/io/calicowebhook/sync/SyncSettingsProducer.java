package io.calicowebhook.sync;

import io.calicowebhook.config.CalicoConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.ConfigProvider;

/** Checks every setting once, first thing at start-up, before anything uses one. */
class SyncSettingsProducer {
  /** Before the etcd connection and everything else started at start-up. */
  static final int FIRST = 100;

  @Produces
  @Singleton
  @Startup(FIRST)
  SyncSettings settings(CalicoConfig config) {
    return SyncSettings.check(
        config,
        name -> ConfigProvider.getConfig().getOptionalValue(name, String.class).isPresent());
  }
}
