package io.calicowebhook.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code WEBHOOK_CLIENT_NAMES} as read at start-up, and which certificates it lets in. */
class ClientNamesTest {
  private static final ClientNames NAMES =
      ClientNames.parse(Optional.of("kube-apiserver,apiserver-webhook-client"), true);

  @Test
  void readsCommaSeparatedNamesTrimmed() {
    assertEquals(
        Set.of("kube-apiserver", "apiserver-webhook-client"),
        ClientNames.parse(Optional.of(" kube-apiserver , apiserver-webhook-client "), true)
            .names());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  "})
  void treatsBlankAsUnset(String value) {
    assertFalse(ClientNames.parse(Optional.of(value), false).enabled());
    assertFalse(ClientNames.parse(Optional.empty(), false).enabled());
  }

  static Stream<Arguments> mistakes() {
    return Stream.of(
        Arguments.of("a,,b", "WEBHOOK_CLIENT_NAMES has an empty name (a doubled, leading or"),
        Arguments.of("a,", "WEBHOOK_CLIENT_NAMES has an empty name"),
        Arguments.of(
            "kube apiserver",
            "WEBHOOK_CLIENT_NAMES name 'kube apiserver' contains whitespace: separate names with"
                + " commas"),
        Arguments.of(
            "*.example.com",
            "WEBHOOK_CLIENT_NAMES name '*.example.com' is a wildcard: names are compared exactly"));
  }

  @ParameterizedTest
  @MethodSource("mistakes")
  void refusesToStartNamingTheMistake(String value, String problem) {
    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class, () -> ClientNames.parse(Optional.of(value), true));
    assertTrue(refused.getMessage().contains(problem), refused.getMessage());
  }

  @Test
  void refusesNamesWithoutAClientCaAndReportsEveryMistakeAtOnce() {
    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class,
            () -> ClientNames.parse(Optional.of("kube-apiserver,,*"), false));
    assertEquals(
        "invalid client authentication configuration:\n"
            + "  - WEBHOOK_CLIENT_NAMES has an empty name (a doubled, leading or trailing comma)\n"
            + "  - WEBHOOK_CLIENT_NAMES name '*' is a wildcard: names are compared exactly\n"
            + "  - WEBHOOK_CLIENT_NAMES is set but WEBHOOK_CLIENT_CA is not: names are only"
            + " checked on client certificates verified against a client CA; set"
            + " WEBHOOK_CLIENT_CA too, or unset WEBHOOK_CLIENT_NAMES",
        refused.getMessage());
  }

  static Stream<Arguments> certificates() {
    return Stream.of(
        named(true, "CN=kube-apiserver", null),
        named(true, "CN=kube-apiserver,O=system:masters", List.of()),
        named(true, "O=k8s,CN=apiserver-webhook-client", null),
        named(true, "CN=a+CN=kube-apiserver", null),
        named(true, "CN=someone", List.of(List.of(2, "apiserver-webhook-client"))),
        named(true, "CN=someone", List.of(List.of(7, "10.0.0.1"), List.of(2, "kube-apiserver"))),
        named(false, "CN=someone", null),
        named(false, "CN=kube-apiserver-evil", null),
        named(false, "CN=Kube-Apiserver", null),
        named(false, "CN=kube-apiserver.evil.example", null),
        named(false, "OU=kube-apiserver,CN=someone", null),
        named(false, "CN=someone", List.of(List.of(1, "kube-apiserver"))),
        named(false, "CN=someone", List.of(List.of(6, "kube-apiserver"))),
        named(false, "CN=someone", List.of(List.of(2, "kube-apiserver.example"))));
  }

  private static Arguments named(boolean accepted, String subject, List<List<?>> alternatives) {
    return Arguments.of(accepted, subject, alternatives);
  }

  @ParameterizedTest(name = "{1} {2} -> {0}")
  @MethodSource("certificates")
  void acceptsOnlyAnExactCommonNameOrDnsName(
      boolean accepted, String subject, List<List<?>> alternatives) {
    assertEquals(accepted, NAMES.accepts(new X500Principal(subject), alternatives));
  }
}
