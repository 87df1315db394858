package io.calicowebhook.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calicowebhook.profile.DefaultPolicy;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code CALICO_DEFAULT_POLICY} as the service reads it at start-up, through the real mapping. */
class DefaultPolicyConfigTest {

  @ParameterizedTest
  @CsvSource({"ns_isolation, NS_ISOLATION", "allow, ALLOW", "' Allow ', ALLOW"})
  void readsDocumentedValues(String value, DefaultPolicy expected) {
    assertEquals(expected, config(Map.of("calico.default-policy", value)).defaultPolicy());
  }

  @Test
  void defaultsToNamespaceIsolation() {
    assertEquals(DefaultPolicy.NS_ISOLATION, config(Map.of()).defaultPolicy());
  }

  @ParameterizedTest
  @ValueSource(strings = {"bogus", "deny", "isolation", "ns_isolation,allow"})
  void refusesUnknownValueNamingVariableAndChoices(String value) {
    RuntimeException refused =
        assertThrows(RuntimeException.class, () -> config(Map.of("calico.default-policy", value)));
    String message = String.valueOf(refused.getMessage()) + " " + causes(refused);
    assertTrue(
        message.contains(
            "CALICO_DEFAULT_POLICY is '" + value + "': expected ns_isolation or allow"),
        message);
  }

  private static CalicoConfig config(Map<String, String> properties) {
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .withMapping(CalicoConfig.class)
            // Quarkus's own reading of "5s"-style durations, as at run time
            .withConverter(Duration.class, 100, new DurationConverter())
            .withSources(new PropertiesConfigSource(properties, "test", 500))
            .build();
    return config.getConfigMapping(CalicoConfig.class);
  }

  private static String causes(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      all.append(cause.getMessage()).append(' ');
    }
    return all.toString();
  }
}
