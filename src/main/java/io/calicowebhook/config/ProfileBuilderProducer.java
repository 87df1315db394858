package io.calicowebhook.config;

import io.calicowebhook.profile.ProfileBuilder;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Makes the one {@link ProfileBuilder} from configuration, at start-up so a bad value stops it. */
class ProfileBuilderProducer {

  @Produces
  @Singleton
  @Startup
  ProfileBuilder profileBuilder(CalicoConfig config) {
    return new ProfileBuilder(config.defaultPolicy());
  }
}
