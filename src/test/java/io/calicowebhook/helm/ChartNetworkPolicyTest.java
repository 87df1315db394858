package io.calicowebhook.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** networkPolicy.*: who may call the webhook, and what the webhook may reach. */
class ChartNetworkPolicyTest {
  private static final String ENABLED =
      """
      networkPolicy:
        enabled: true
        from:
          - ipBlock: {cidr: 10.0.0.0/24, except: [10.0.0.128/25]}
          - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}
            podSelector: {matchLabels: {app.kubernetes.io/name: prometheus}}
      """;

  @Test
  void rendersNoNetworkPolicyUnlessEnabled() {
    assertTrue(Chart.withEtcd().render().all(NetworkPolicy.class).isEmpty());
  }

  @Test
  void admitsOnlyThePeersItIsGivenAndOnlyOnTheWebhookPort() {
    Manifests manifests = Chart.withEtcd().withValues(ENABLED).render();
    NetworkPolicy policy = manifests.one(NetworkPolicy.class);
    Deployment deployment = manifests.one(Deployment.class);
    assertEquals(
        deployment.getSpec().getSelector().getMatchLabels(),
        policy.getSpec().getPodSelector().getMatchLabels());
    assertEquals(List.of("Ingress", "Egress"), policy.getSpec().getPolicyTypes());
    List<NetworkPolicyIngressRule> ingress = policy.getSpec().getIngress();
    assertEquals(1, ingress.size());
    int containerPort =
        deployment
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0)
            .getPorts()
            .get(0)
            .getContainerPort();
    assertEquals(List.of("TCP/" + containerPort), ports(ingress.get(0).getPorts()));
    List<NetworkPolicyPeer> from = ingress.get(0).getFrom();
    assertEquals(2, from.size());
    assertEquals("10.0.0.0/24", from.get(0).getIpBlock().getCidr());
    assertEquals(List.of("10.0.0.128/25"), from.get(0).getIpBlock().getExcept());
    assertEquals(
        Map.of("kubernetes.io/metadata.name", "monitoring"),
        from.get(1).getNamespaceSelector().getMatchLabels());
    assertEquals(
        Map.of("app.kubernetes.io/name", "prometheus"),
        from.get(1).getPodSelector().getMatchLabels());
  }

  @Test
  void followsTheWebhookPort() {
    NetworkPolicy policy =
        Chart.withEtcd()
            .withValues(ENABLED)
            .set("config.port", "9443")
            .render()
            .one(NetworkPolicy.class);
    assertEquals(List.of("TCP/9443"), ports(policy.getSpec().getIngress().get(0).getPorts()));
  }

  static Stream<Arguments> etcdEndpoints() {
    return Stream.of(
        Arguments.of("https://etcd-0.etcd:2379", List.of("TCP/2379")),
        Arguments.of(
            "https://etcd-0.etcd:2379,https://etcd-1.etcd:2379,http://[fd00::1]:4001/",
            List.of("TCP/2379", "TCP/4001")));
  }

  @ParameterizedTest
  @MethodSource("etcdEndpoints")
  void reachesEtcdOnThePortsOfItsEndpoints(String endpoints, List<String> ports) {
    NetworkPolicyEgressRule etcd =
        egress(Chart.bare().set("etcd.endpoints", endpoints).withValues(ENABLED)).get(0);
    assertEquals(ports, ports(etcd.getPorts()));
    assertTrue(etcd.getTo().isEmpty(), "any address unless networkPolicy.etcd.to says");
  }

  @Test
  void reachesEtcdWhereAndHowItIsTold() {
    NetworkPolicyEgressRule etcd =
        egress(
                Chart.withEtcd()
                    .withValues(
                        ENABLED
                            + """
                              etcd:
                                to: [{ipBlock: {cidr: 192.168.10.0/24}}]
                                ports: [12379]
                            """))
            .get(0);
    assertEquals(List.of("TCP/12379"), ports(etcd.getPorts()));
    assertEquals("192.168.10.0/24", etcd.getTo().get(0).getIpBlock().getCidr());
  }

  @Test
  void reachesTheApiServerAndDnsAndWhatElseItIsGiven() {
    List<NetworkPolicyEgressRule> defaults = egress(Chart.withEtcd().withValues(ENABLED));
    assertEquals(3, defaults.size());
    assertEquals(List.of("TCP/443", "TCP/6443"), ports(defaults.get(1).getPorts()));
    assertTrue(defaults.get(1).getTo().isEmpty());
    assertEquals(List.of("UDP/53", "TCP/53"), ports(defaults.get(2).getPorts()));
    assertTrue(defaults.get(2).getTo().isEmpty());

    List<NetworkPolicyEgressRule> told =
        egress(
            Chart.withEtcd()
                .withValues(
                    ENABLED
                        + """
                          apiServer:
                            to: [{ipBlock: {cidr: 172.18.0.2/32}}]
                            ports: [6443]
                          dns:
                            to: [{namespaceSelector: {}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
                          extraEgress:
                            - to: [{ipBlock: {cidr: 10.9.0.0/16}}]
                              ports: [{protocol: TCP, port: 4317}]
                        """));
    assertEquals(4, told.size());
    assertEquals(List.of("TCP/6443"), ports(told.get(1).getPorts()));
    assertEquals("172.18.0.2/32", told.get(1).getTo().get(0).getIpBlock().getCidr());
    assertEquals(
        Map.of("k8s-app", "kube-dns"),
        told.get(2).getTo().get(0).getPodSelector().getMatchLabels());
    assertEquals(List.of("TCP/4317"), ports(told.get(3).getPorts()));
  }

  static Stream<Arguments> badValues() {
    String etcd = Chart.ETCD;
    return Stream.of(
        Arguments.of(etcd, "networkPolicy: {enabled: true}", "networkPolicy.from is required"),
        Arguments.of(etcd, "networkPolicy: {enabled: true, from: [{}]}", "minProperties"),
        Arguments.of(
            etcd,
            "networkPolicy: {enabled: true, from: [{ipBlock: {cidr: 10.0.0.0/8}, namespace: x}]}",
            "namespace"),
        Arguments.of(etcd, "networkPolicy: {enabled: true, form: []}", "form"),
        Arguments.of(etcd, ENABLED + "  apiServer: {ports: []}\n", "minItems"),
        Arguments.of(etcd, ENABLED + "  etcd: {ports: [70000]}\n", "maximum"),
        Arguments.of(
            "https://etcd-0.etcd",
            ENABLED,
            "etcd.endpoints \"https://etcd-0.etcd\" names no port"));
  }

  @ParameterizedTest
  @MethodSource("badValues")
  void refusesValuesThatWouldNotIsolateAsMeant(String endpoints, String values, String message) {
    Chart chart = Chart.bare().set("etcd.endpoints", endpoints).withValues(values);
    IllegalStateException failure = assertThrows(IllegalStateException.class, chart::renderText);
    assertTrue(failure.getMessage().contains(message), failure::getMessage);
  }

  private static List<NetworkPolicyEgressRule> egress(Chart chart) {
    return chart.render().one(NetworkPolicy.class).getSpec().getEgress();
  }

  private static List<String> ports(List<NetworkPolicyPort> ports) {
    return ports.stream().map(p -> p.getProtocol() + "/" + p.getPort().getIntVal()).toList();
  }

  @Test
  void portsAreNumbersNotNames() {
    NetworkPolicy policy = Chart.withEtcd().withValues(ENABLED).render().one(NetworkPolicy.class);
    for (NetworkPolicyEgressRule rule : policy.getSpec().getEgress()) {
      rule.getPorts().forEach(p -> assertNull(p.getPort().getStrVal(), p::toString));
    }
  }
}
