package io.calicowebhook.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calicowebhook.policy.PolicyParser;
import io.calicowebhook.policy.PolicyResult;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Parsed rules as Felix reads them (SPEC section 4), and nothing Felix would reject. */
class FelixRuleTest {

  private static List<String> felixJson(String policy, String namespace) {
    PolicyResult result = PolicyParser.parse("projectcalico.org/policy", policy);
    assertTrue(result.valid(), () -> result.errors().toString());
    return result.rules().stream().map(rule -> FelixRule.of(rule, namespace).toJson()).toList();
  }

  /** Every production of the grammar; namespace {@code ns}. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiterString = " => ",
      quoteCharacter = '`',
      textBlock =
          """
      allow => {"action":"allow"}
      allow from label role=db => {"action":"allow","src_tag":"ns_role_db"}
      allow tcp to ports 80,8000:8080 => {"action":"allow","protocol":"tcp","dst_ports":[80,"8000:8080"]}
      allow udp from ports 53 cidr 10.0.0.0/8 => {"action":"allow","protocol":"udp","src_ports":[53],"src_net":"10.0.0.0/8"}
      allow icmp type 8 code 0 from cidr 1.2.3.4 => {"action":"allow","protocol":"icmp","icmp_type":8,"icmp_code":0,"src_net":"1.2.3.4/32"}
      allow tcp => {"action":"allow","protocol":"tcp"}
      allow udp => {"action":"allow","protocol":"udp"}
      allow icmp => {"action":"allow","protocol":"icmp"}
      allow icmp type 0 => {"action":"allow","protocol":"icmp","icmp_type":0}
      allow icmp type 255 code 255 => {"action":"allow","protocol":"icmp","icmp_type":255,"icmp_code":255}
      allow icmp type 3 from label app=x to cidr 10.0.0.0/8 => {"action":"allow","protocol":"icmp","icmp_type":3,"src_tag":"ns_app_x","dst_net":"10.0.0.0/8"}
      allow icmp to label app=x => {"action":"allow","protocol":"icmp","dst_tag":"ns_app_x"}
      allow to label role=db => {"action":"allow","dst_tag":"ns_role_db"}
      allow from cidr 1.2.3.4 => {"action":"allow","src_net":"1.2.3.4/32"}
      allow to cidr ::1 => {"action":"allow","dst_net":"::1/128"}
      allow from label a=b cidr 10.0.0.0/8 to label c=d cidr 2001:DB8::/32 => {"action":"allow","src_tag":"ns_a_b","src_net":"10.0.0.0/8","dst_tag":"ns_c_d","dst_net":"2001:db8::/32"}
      allow tcp from ports 80 => {"action":"allow","protocol":"tcp","src_ports":[80]}
      allow tcp from ports 0,65535,0:65535 => {"action":"allow","protocol":"tcp","src_ports":[0,65535,"0:65535"]}
      allow tcp to ports 0080,08:009 => {"action":"allow","protocol":"tcp","dst_ports":[80,"8:9"]}
      allow udp to ports 53 label k8s-app=kube-dns => {"action":"allow","protocol":"udp","dst_ports":[53],"dst_tag":"ns_k8s-app_kube-dns"}
      allow tcp from ports 1:2 label app.kubernetes.io/name=web cidr 10.1.0.0/16 to ports 443 label tier=front cidr 0.0.0.0/0 => {"action":"allow","protocol":"tcp","src_ports":["1:2"],"src_tag":"ns_app.kubernetes.io_name_web","src_net":"10.1.0.0/16","dst_ports":[443],"dst_tag":"ns_tier_front","dst_net":"0.0.0.0/0"}
      allow tcp to cidr 10.0.0.1/8 => {"action":"allow","protocol":"tcp","dst_net":"10.0.0.0/8"}
      allow tcp from => {"action":"allow","protocol":"tcp"}
      allow icmp type 8 to => {"action":"allow","protocol":"icmp","icmp_type":8}
      allow from label my_key=my_value => {"action":"allow","src_tag":"ns_my__key_my__value"}
      allow from label Role=DB.v1 => {"action":"allow","src_tag":"ns_Role_DB.v1"}
      """)
  void writesFelixRuleForEveryProduction(String policy, String json) {
    assertEquals(List.of(json), felixJson(policy, "ns"));
  }

  @Test
  void writesSpecAnnotationExample() {
    assertEquals(
        List.of(
            "{\"action\":\"allow\",\"src_tag\":\"production_role_backend\"}",
            "{\"action\":\"allow\",\"protocol\":\"tcp\",\"dst_ports\":[4001,443]}"),
        felixJson("allow from label role=backend; allow tcp to ports 4001,443", "production"));
  }

  static Stream<Arguments> valuesFelixWouldReject() {
    return Stream.of(
        bad("unknown protocol", () -> FelixRule.allow().protocol("sctp")),
        bad("tag with slash", () -> FelixRule.allow().srcTag("ns/role=db")),
        bad("empty tag", () -> FelixRule.allow().dstTag("")),
        bad("net with host bits", () -> FelixRule.allow().srcNet("1.2.3.4/8")),
        bad("net without prefix", () -> FelixRule.allow().dstNet("10.0.0.0")),
        bad("ports without protocol", () -> FelixRule.allow().srcPorts(List.of(80))),
        bad("ports on icmp", () -> FelixRule.allow().protocol("icmp").srcPorts(List.of(80))),
        bad("empty port list", () -> FelixRule.allow().protocol("tcp").dstPorts(List.of())),
        bad("port over 65535", () -> FelixRule.allow().protocol("tcp").dstPorts(List.of(65536))),
        bad("port as long", () -> FelixRule.allow().protocol("tcp").dstPorts(List.of(80L))),
        bad("range reversed", () -> FelixRule.allow().protocol("tcp").srcPorts(List.of("90:80"))),
        bad(
            "range not canonical",
            () -> FelixRule.allow().protocol("tcp").srcPorts(List.of("080:90"))),
        bad(
            "range over 65535",
            () -> FelixRule.allow().protocol("udp").srcPorts(List.of("1:65536"))),
        bad("range garbage", () -> FelixRule.allow().protocol("tcp").srcPorts(List.of("1:2:3"))),
        bad("icmp code without type", () -> FelixRule.allow().protocol("icmp").icmpCode(0)),
        bad("icmp type without icmp", () -> FelixRule.allow().protocol("tcp").icmpType(8)),
        bad("icmp type over 255", () -> FelixRule.allow().protocol("icmp").icmpType(256)),
        bad(
            "icmp code over 255",
            () -> FelixRule.allow().protocol("icmp").icmpType(8).icmpCode(300)));
  }

  private static Arguments bad(String what, Supplier<FelixRule.Builder> builder) {
    return Arguments.of(what, builder);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valuesFelixWouldReject")
  void refusesToBuild(String what, Supplier<FelixRule.Builder> builder) {
    FelixRule.Builder rule = builder.get();
    assertThrows(IllegalArgumentException.class, rule::build, what);
  }

  @Test
  void acceptsEveryValueFelixReads() {
    FelixRule rule =
        FelixRule.allow()
            .protocol("tcp")
            .srcTag("ns_a_b")
            .dstTag("namespace_ns")
            .srcNet("10.0.0.0/8")
            .dstNet("::1/128")
            .srcPorts(List.of(0, "1:2"))
            .dstPorts(List.of(65535))
            .build();
    assertEquals(
        "{\"action\":\"allow\",\"protocol\":\"tcp\",\"src_ports\":[0,\"1:2\"],\"src_tag\":\"ns_a_b\","
            + "\"src_net\":\"10.0.0.0/8\",\"dst_ports\":[65535],\"dst_tag\":\"namespace_ns\","
            + "\"dst_net\":\"::1/128\"}",
        rule.toJson());
    assertEquals(
        "{\"action\":\"allow\",\"protocol\":\"icmp\",\"icmp_type\":0,\"icmp_code\":255}",
        FelixRule.allow().protocol("icmp").icmpType(0).icmpCode(255).build().toJson());
    assertEquals("{\"action\":\"allow\"}", FelixRule.allowAll().toJson());
    assertEquals(
        "{\"action\":\"allow\",\"src_tag\":\"namespace_ns\"}",
        FelixRule.allowFromTag("namespace_ns").toJson());
  }

  @Test
  void comparesByValue() {
    assertEquals(FelixRule.allowFromTag("a"), FelixRule.allow().srcTag("a").build());
    assertEquals(
        FelixRule.allowFromTag("a").hashCode(), FelixRule.allow().srcTag("a").build().hashCode());
    assertNotEquals(FelixRule.allowFromTag("a"), FelixRule.allow().dstTag("a").build());
  }
}
