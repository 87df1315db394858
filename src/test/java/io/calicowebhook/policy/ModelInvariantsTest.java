package io.calicowebhook.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Nothing Felix would reject can be constructed, whoever builds the values. */
class ModelInvariantsTest {

  static Stream<Arguments> valuesFelixWouldReject() {
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
                    new Endpoint(List.of(PortRange.of(1)), null, null))),
        bad("deny action", () -> felix("deny", null, null, null, null, null)),
        bad("unknown protocol", () -> felix("allow", "sctp", null, null, null, null)),
        bad(
            "tag with slash",
            () ->
                new FelixRule(
                    "allow", null, "ns/role=db", null, null, null, null, null, null, null)),
        bad(
            "empty tag",
            () -> new FelixRule("allow", null, "", null, null, null, null, null, null, null)),
        bad(
            "net with host bits",
            () ->
                new FelixRule(
                    "allow", null, null, null, "1.2.3.4/8", null, null, null, null, null)),
        bad("ports without protocol", () -> felix("allow", null, List.of(80), null, null, null)),
        bad("ports on icmp", () -> felix("allow", "icmp", List.of(80), null, null, null)),
        bad("empty port list", () -> felix("allow", "tcp", List.of(), null, null, null)),
        bad("port over 65535", () -> felix("allow", "tcp", List.of(65536), null, null, null)),
        bad("port as long", () -> felix("allow", "tcp", List.of(80L), null, null, null)),
        bad("range reversed", () -> felix("allow", "tcp", List.of("90:80"), null, null, null)),
        bad(
            "range not canonical",
            () -> felix("allow", "tcp", List.of("080:90"), null, null, null)),
        bad("range garbage", () -> felix("allow", "tcp", List.of("1:2:3"), null, null, null)),
        bad("icmp code without type", () -> felix("allow", "icmp", null, null, null, 0)),
        bad("icmp type without icmp", () -> felix("allow", "tcp", null, null, 8, null)),
        bad("icmp type over 255", () -> felix("allow", "icmp", null, null, 256, null)),
        bad("icmp code over 255", () -> felix("allow", "icmp", null, null, 8, 300)));
  }

  private static FelixRule felix(
      String action,
      String protocol,
      List<Object> srcPorts,
      List<Object> dstPorts,
      Integer type,
      Integer code) {
    return new FelixRule(action, protocol, null, null, null, null, srcPorts, dstPorts, type, code);
  }

  private static Arguments bad(String what, Supplier<Object> construction) {
    return Arguments.of(what, construction);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valuesFelixWouldReject")
  void refusesToConstruct(String what, Supplier<Object> construction) {
    assertThrows(IllegalArgumentException.class, construction::get, what);
  }

  @Test
  void acceptsEveryValueFelixReads() {
    FelixRule rule =
        new FelixRule(
            "allow",
            "tcp",
            "ns_a_b",
            "namespace_ns",
            "10.0.0.0/8",
            "::1/128",
            List.of(0, "1:2"),
            List.of(65535),
            null,
            null);
    assertEquals(
        "{\"action\":\"allow\",\"protocol\":\"tcp\",\"src_ports\":[0,\"1:2\"],\"src_tag\":\"ns_a_b\","
            + "\"src_net\":\"10.0.0.0/8\",\"dst_ports\":[65535],\"dst_tag\":\"namespace_ns\","
            + "\"dst_net\":\"::1/128\"}",
        rule.toJson());
    assertEquals(
        "{\"action\":\"allow\",\"protocol\":\"icmp\",\"icmp_type\":0,\"icmp_code\":255}",
        felix("allow", "icmp", null, null, 0, 255).toJson());
  }
}
