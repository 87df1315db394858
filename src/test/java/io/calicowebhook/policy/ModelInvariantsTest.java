package io.calicowebhook.policy;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** No value the language cannot express can be constructed, whoever builds it. */
class ModelInvariantsTest {

  static Stream<Arguments> invalidValues() {
    return Stream.of(
        bad("port over 65535", () -> PortRange.of(65536)),
        bad("negative port", () -> PortRange.of(-1)),
        bad("range start after end", () -> new PortRange(90, 80)),
        bad("icmp type over 255", () -> new Icmp(256, null)),
        bad("icmp code over 255", () -> new Icmp(8, 256)),
        bad("negative icmp code", () -> new Icmp(8, -1)),
        bad("label with space", () -> new Label("role", "a b")),
        bad("label value too long", () -> new Label("role", "a".repeat(64))),
        bad("label prefix uppercase", () -> new Label("Example.com/role", "db")),
        bad("cidr not canonical", () -> new Cidr("10.0.0.1/8")),
        bad("cidr without prefix", () -> new Cidr("10.0.0.0")),
        bad("cidr uppercase", () -> new Cidr("2001:DB8::/32")),
        bad("host name", () -> new Cidr("localhost/32")),
        bad(
            "icmp on tcp rule",
            () -> new Rule(Protocol.TCP, new Icmp(8, 0), Endpoint.ANY, Endpoint.ANY)),
        bad(
            "ports on icmp rule",
            () ->
                new Rule(
                    Protocol.ICMP,
                    null,
                    new Endpoint(List.of(PortRange.of(80)), null, null),
                    Endpoint.ANY)),
        bad(
            "ports on any rule",
            () ->
                new Rule(
                    Protocol.ANY,
                    null,
                    Endpoint.ANY,
                    new Endpoint(List.of(PortRange.of(1)), null, null))));
  }

  private static Arguments bad(String what, Supplier<Object> construction) {
    return Arguments.of(what, construction);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidValues")
  void refusesToConstruct(String what, Supplier<Object> construction) {
    assertThrows(IllegalArgumentException.class, construction::get, what);
  }
}
