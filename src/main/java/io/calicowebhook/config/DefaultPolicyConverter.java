package io.calicowebhook.config;

import io.calicowebhook.profile.DefaultPolicy;
import java.util.Locale;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * Reads {@code CALICO_DEFAULT_POLICY} as documented ({@code ns_isolation} or {@code allow}) and
 * refuses anything else with a message that names the variable and the accepted values.
 */
public class DefaultPolicyConverter implements Converter<DefaultPolicy> {
  @Override
  public DefaultPolicy convert(String value) {
    String name = value.trim().toLowerCase(Locale.ROOT);
    for (DefaultPolicy policy : DefaultPolicy.values()) {
      if (policy.name().toLowerCase(Locale.ROOT).equals(name)) {
        return policy;
      }
    }
    throw new IllegalArgumentException(
        "CALICO_DEFAULT_POLICY is '" + value + "': expected ns_isolation or allow");
  }
}
