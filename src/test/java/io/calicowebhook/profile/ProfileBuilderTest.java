package io.calicowebhook.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.pod.PolicyAnnotations;
import io.calicowebhook.policy.PolicyError;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Pod metadata to profile, SPEC section 3, compared as the exact bytes written to etcd. */
class ProfileBuilderTest {
  private static final String OUTBOUND = "\"outbound_rules\":[{\"action\":\"allow\"}]}";
  private static final ProfileBuilder NS_ISOLATION = new ProfileBuilder(DefaultPolicy.NS_ISOLATION);

  private static PodMeta pod(String namespace, Map<String, String> annotations) {
    return new PodMeta(namespace, "pod1", "uid-1", Map.of("role", "backend"), annotations, false);
  }

  private static String rulesJson(ProfileBuilder builder, PodMeta pod) {
    return builder.build(pod).orElseThrow().rulesJson();
  }

  static Stream<Arguments> inboundRules() {
    return Stream.of(
        Arguments.of(
            "no annotation, ns_isolation",
            DefaultPolicy.NS_ISOLATION,
            pod("production", Map.of()),
            "[{\"action\":\"allow\",\"src_tag\":\"namespace_production\"}]"),
        Arguments.of(
            "no annotation, allow",
            DefaultPolicy.ALLOW,
            pod("production", Map.of()),
            "[{\"action\":\"allow\"}]"),
        Arguments.of(
            "annotation rules in order",
            DefaultPolicy.NS_ISOLATION,
            pod(
                "production",
                Map.of(
                    PolicyAnnotations.KEY,
                    "allow from label role=frontend; allow tcp to ports 4001,443")),
            "[{\"action\":\"allow\",\"src_tag\":\"production_role_frontend\"},"
                + "{\"action\":\"allow\",\"protocol\":\"tcp\",\"dst_ports\":[4001,443]}]"),
        Arguments.of(
            "legacy key",
            DefaultPolicy.NS_ISOLATION,
            pod("production", Map.of(PolicyAnnotations.LEGACY_KEY, "allow udp to ports 53")),
            "[{\"action\":\"allow\",\"protocol\":\"udp\",\"dst_ports\":[53]}]"),
        Arguments.of(
            "both keys: the new one wins, even over an invalid legacy value",
            DefaultPolicy.NS_ISOLATION,
            pod(
                "production",
                Map.of(PolicyAnnotations.KEY, "allow icmp", PolicyAnnotations.LEGACY_KEY, "deny")),
            "[{\"action\":\"allow\",\"protocol\":\"icmp\"}]"),
        Arguments.of(
            "kube-system allows all whatever the annotation says",
            DefaultPolicy.NS_ISOLATION,
            pod("kube-system", Map.of(PolicyAnnotations.KEY, "allow tcp to ports 53")),
            "[{\"action\":\"allow\"}]"),
        Arguments.of(
            "kube-system ignores even an invalid annotation",
            DefaultPolicy.NS_ISOLATION,
            pod("kube-system", Map.of(PolicyAnnotations.KEY, "deny")),
            "[{\"action\":\"allow\"}]"),
        Arguments.of(
            "label tags use the pod's namespace, escaped",
            DefaultPolicy.NS_ISOLATION,
            pod(
                "my_ns",
                Map.of(PolicyAnnotations.KEY, "allow to label app.kubernetes.io/name=w_1")),
            "[{\"action\":\"allow\",\"dst_tag\":\"my__ns_app.kubernetes.io_name_w__1\"}]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inboundRules")
  void writesInboundRules(String name, DefaultPolicy policy, PodMeta pod, String inbound) {
    String id = Escaping.profileId(pod.namespace(), pod.name());
    assertEquals(
        "{\"id\":\"" + id + "\",\"inbound_rules\":" + inbound + "," + OUTBOUND,
        rulesJson(new ProfileBuilder(policy), pod));
  }

  @Test
  void namesProfileAndTagsAsSpecExample() {
    PodMeta pod =
        new PodMeta(
            "production", "pod1", "u", Map.of("role", "backend", "version", "v1.2.3"), null, false);
    Profile profile = NS_ISOLATION.build(pod).orElseThrow();
    assertEquals("production_pod1", profile.id());
    assertEquals(
        "[\"namespace_production\",\"production_role_backend\",\"production_version_v1.2.3\"]",
        profile.tagsJson());
  }

  @Test
  void escapesIdsAndLabelTagsWithPrefixedKeys() {
    PodMeta pod =
        new PodMeta(
            "team_a",
            "web_1",
            "u",
            Map.of("app.kubernetes.io/name", "web", "tier", "front_end"),
            null,
            false);
    Profile profile = NS_ISOLATION.build(pod).orElseThrow();
    assertEquals("team__a_web__1", profile.id());
    assertEquals(
        List.of(
            "namespace_team__a", "team__a_app.kubernetes.io_name_web", "team__a_tier_front__end"),
        profile.tags());
  }

  @Test
  void buildsNoProfileForHostNetworkPod() {
    PodMeta pod = new PodMeta("production", "pod1", "u", Map.of(), Map.of(), true);
    assertTrue(NS_ISOLATION.build(pod).isEmpty());
  }

  @Test
  void throwsEveryErrorOfInvalidAnnotation() {
    PodMeta pod = pod("production", Map.of(PolicyAnnotations.LEGACY_KEY, "deny; allow TCP"));
    InvalidPolicyException thrown =
        assertThrows(InvalidPolicyException.class, () -> NS_ISOLATION.build(pod));
    assertEquals(
        List.of(
            "policy: rule 1, column 1: found 'deny', expected 'allow' (only 'allow' rules exist)",
            "policy: rule 2, column 13: found 'TCP', expected 'tcp', 'udp', 'icmp', 'from', 'to'"
                + " or end of rule (keywords are lowercase)"),
        thrown.errors().stream().map(PolicyError::message).toList());
  }

  @Test
  void writesSameBytesForSamePod() {
    PodMeta pod = pod("production", Map.of(PolicyAnnotations.KEY, "allow tcp from ports 1:2"));
    Profile first = NS_ISOLATION.build(pod).orElseThrow();
    Profile second = NS_ISOLATION.build(pod).orElseThrow();
    assertEquals(first.rulesJson(), second.rulesJson());
    assertEquals(first.tagsJson(), second.tagsJson());
    assertEquals(first, second);
  }

  @Test
  void sortsAndDeduplicatesTagsAndRefusesInvalidOnes() {
    Profile profile =
        new Profile("a_b", List.of("z", "a", "z"), List.of(FelixRule.allowAll()), List.of());
    assertEquals("[\"a\",\"z\"]", profile.tagsJson());
    assertThrows(
        IllegalArgumentException.class,
        () -> new Profile("a_b", List.of("a/b"), List.of(), List.of()));
    assertThrows(
        IllegalArgumentException.class, () -> new Profile("a b", List.of(), List.of(), List.of()));
  }
}
