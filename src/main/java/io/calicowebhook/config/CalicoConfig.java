package io.calicowebhook.config;

import io.calicowebhook.profile.DefaultPolicy;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Every setting of the service, validated at start-up. Environment variables in parentheses; they
 * are mapped in {@code application.properties}.
 */
@ConfigMapping(prefix = "calico")
public interface CalicoConfig {
  /**
   * Inbound policy of pods without a policy annotation: {@code ns_isolation} (only the same
   * namespace may connect) or {@code allow} ({@code CALICO_DEFAULT_POLICY}). Any other value
   * refuses to start.
   */
  @WithDefault("ns_isolation")
  DefaultPolicy defaultPolicy();
}
