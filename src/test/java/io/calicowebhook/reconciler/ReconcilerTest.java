package io.calicowebhook.reconciler;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.calicowebhook.admission.Tls;
import io.calicowebhook.etcd.EtcdKeys;
import io.calicowebhook.etcd.EtcdKv;
import io.calicowebhook.etcd.EtcdProcess;
import io.calicowebhook.etcd.EtcdResource;
import io.calicowebhook.etcd.EtcdResource.InjectEtcd;
import io.calicowebhook.store.Owner;
import io.calicowebhook.sync.AdmittedToEtcdTest;
import io.calicowebhook.sync.ModeSwitch;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The reconciler in the running service, against the Quarkus Kubernetes test server (CRUD mode) and
 * a real etcd: the Kubernetes API, not the admission body, decides what etcd holds.
 */
@QuarkusTest
@TestProfile(ReconcilerTest.Reconciling.class)
@WithKubernetesTestServer(crud = true, setup = ReconcilerTest.Seed.class)
@WithTestResource(EtcdResource.class)
class ReconcilerTest {
  static final Duration SOON = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The reconciler on, with a short lease so that the single replica leads within a second. */
  public static class Reconciling implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "calico.reconciler.enabled", "true",
          "calico.reconciler.lease.namespace", "calico-policy-webhook",
          "calico.reconciler.lease.identity", "replica-under-test",
          "calico.reconciler.lease.duration", "3s",
          "calico.reconciler.lease.renew-deadline", "2s",
          "calico.reconciler.lease.retry-period", "200ms",
          "calico.reconciler.resync-period", "10m");
    }
  }

  /** Pods that exist before the service starts, in namespaces the webhook never sees too. */
  public static class Seed implements Consumer<KubernetesServer> {
    @Override
    public void accept(KubernetesServer server) {
      KubernetesClient client = server.getClient();
      for (Pod pod :
          List.of(
              TestPods.pod("before", "web", Map.of("app", "web"), "allow tcp to ports 80"),
              TestPods.pod("kube-system", "coredns"),
              TestPods.pod("calico-system", "calico-node"),
              TestPods.pod("before", "broken", Map.of(), "deny tcp; allow tcp to ports 80,Y"),
              TestPods.hostNetwork("before", "host"))) {
        client.resource(pod).create();
      }
    }
  }

  @InjectEtcd EtcdProcess etcd;
  @Inject KubernetesClient client;
  @Inject ModeSwitch sync;

  @TestHTTPResource(value = "/", tls = true)
  URL base;

  @TestHTTPResource(value = "/", management = true, tls = true)
  URL management;

  private EtcdKv kv;

  @BeforeEach
  void connect() {
    kv = new EtcdKv(etcd.endpoint());
  }

  @AfterEach
  void disconnect() {
    kv.close();
  }

  @Test
  void podsPresentAtStartGetTheirProfilesInEveryNamespace() throws Exception {
    await().atMost(SOON).until(() -> kv.get(EtcdKeys.tags("before_web")).isPresent());
    await().atMost(SOON).until(() -> kv.get(EtcdKeys.rules("kube-system_coredns")).isPresent());
    await()
        .atMost(SOON)
        .until(() -> kv.get(EtcdKeys.rules("calico-system_calico-node")).isPresent());

    assertEquals(
        JSON.readTree(
            "{\"id\":\"before_web\",\"inbound_rules\":[{\"action\":\"allow\",\"protocol\":\"tcp\","
                + "\"dst_ports\":[80]}],\"outbound_rules\":[{\"action\":\"allow\"}]}"),
        json(EtcdKeys.rules("before_web")));
    assertEquals(
        JSON.readTree(
            "{\"id\":\"kube-system_coredns\",\"inbound_rules\":[{\"action\":\"allow\"}],"
                + "\"outbound_rules\":[{\"action\":\"allow\"}]}"),
        json(EtcdKeys.rules("kube-system_coredns")));
    Pod web = client.pods().inNamespace("before").withName("web").get();
    assertEquals(
        new Owner(web.getMetadata().getUid(), "before", "web"),
        Owner.parse(kv.value(EtcdKeys.owner("before_web")).orElseThrow()).orElseThrow());
    assertEquals(Map.of(), kv.prefix(EtcdKeys.profileDir("before_host")), "host network: none");
  }

  @Test
  void brokenPolicyFailsClosedWithOneWarningEvent() throws Exception {
    await().atMost(SOON).until(() -> kv.get(EtcdKeys.rules("before_broken")).isPresent());

    assertEquals(
        JSON.readTree(
            "{\"id\":\"before_broken\",\"inbound_rules\":[],"
                + "\"outbound_rules\":[{\"action\":\"allow\"}]}"),
        json(EtcdKeys.rules("before_broken")));
    await().atMost(SOON).until(() -> policyEvents("broken").size() == 1);
    Event event = policyEvents("broken").get(0);
    assertEquals("Warning", event.getType());
    assertEquals("Pod", event.getInvolvedObject().getKind());
    assertEquals(
        "projectcalico.org/policy does not parse, so the pod accepts no inbound traffic until it"
            + " is fixed:\nprojectcalico.org/policy: rule 1, column 1: found 'deny', expected"
            + " 'allow' (only 'allow' rules exist)\nprojectcalico.org/policy: rule 2, column 33:"
            + " found 'Y' in port list, expected a port number (0-65535) or a range N:M",
        event.getMessage());

    sync.cluster().orElseThrow().reconciler().resyncSoon();
    await().atMost(SOON).until(() -> resyncs() >= 2);
    client
        .resource(labelled(client.pods().inNamespace("before").withName("broken").get()))
        .update();
    await()
        .atMost(SOON)
        .until(() -> kv.value(EtcdKeys.tags("before_broken")).orElse("").contains("tier"));
    assertEquals(1, policyEvents("broken").size(), "recorded once per pod and policy value");
  }

  @Test
  void followsCreatesLabelChangesAndDeletes() {
    Pod created = client.resource(TestPods.pod("flow", "p1", Map.of("v", "1"), null)).create();
    await().atMost(SOON).until(() -> kv.get(EtcdKeys.rules("flow_p1")).isPresent());

    client
        .resource(
            new PodBuilder(created).editMetadata().addToLabels("v", "2").endMetadata().build())
        .update();
    await()
        .atMost(SOON)
        .until(() -> kv.value(EtcdKeys.tags("flow_p1")).orElse("").contains("flow_v_2"));

    client.pods().inNamespace("flow").withName("p1").delete();
    await().atMost(SOON).until(() -> kv.prefix(EtcdKeys.profileDir("flow_p1")).isEmpty());
    await().atMost(SOON).until(() -> kv.get(EtcdKeys.owner("flow_p1")).isEmpty());
  }

  @Test
  void generateNamePodGetsItsProfile() {
    Pod pod = TestPods.pod("gen", null, Map.of("app", "gen"), null);
    pod.getMetadata().setGenerateName("web-");
    Pod created = client.resource(pod).create();
    String id = "gen_" + created.getMetadata().getName();

    await().atMost(SOON).until(() -> kv.get(EtcdKeys.rules(id)).isPresent());
    assertTrue(created.getMetadata().getName().startsWith("web-"), created.getMetadata().getName());
  }

  @Test
  void recreatedPodGetsAFreshProfile() {
    client.resource(TestPods.pod("again", "db", Map.of("gen", "1"), null)).create();
    await().atMost(SOON).until(() -> kv.get(EtcdKeys.owner("again_db")).isPresent());
    String firstOwner = kv.value(EtcdKeys.owner("again_db")).orElseThrow();

    client.pods().inNamespace("again").withName("db").delete();
    Pod second = client.resource(TestPods.pod("again", "db", Map.of("gen", "2"), null)).create();

    await()
        .atMost(SOON)
        .until(
            () ->
                kv.value(EtcdKeys.owner("again_db"))
                    .filter(owner -> owner.contains(second.getMetadata().getUid()))
                    .isPresent());
    assertNotEquals(firstOwner, kv.value(EtcdKeys.owner("again_db")).orElseThrow());
    await()
        .atMost(SOON)
        .until(() -> kv.value(EtcdKeys.tags("again_db")).orElse("").contains("gen_2"));
  }

  @Test
  void repairsHandEditsAndDeletesWithinSeconds() {
    client.resource(TestPods.pod("drift", "p", Map.of(), "allow tcp to ports 443")).create();
    await().atMost(SOON).until(() -> kv.get(EtcdKeys.rules("drift_p")).isPresent());
    String rules = kv.value(EtcdKeys.rules("drift_p")).orElseThrow();

    kv.put(
        EtcdKeys.rules("drift_p"),
        "{\"id\":\"drift_p\",\"inbound_rules\":[{\"action\":\"allow\"}]}");
    await().atMost(SOON).until(() -> kv.value(EtcdKeys.rules("drift_p")).orElse("").equals(rules));

    kv.deletePrefix(EtcdKeys.profileDir("drift_p"));
    await().atMost(SOON).until(() -> kv.value(EtcdKeys.rules("drift_p")).orElse("").equals(rules));
  }

  @Test
  void deletesOwnedOrphansAndLeavesForeignProfiles() {
    kv.put(EtcdKeys.rules("orphan_gone"), "{\"id\":\"orphan_gone\",\"inbound_rules\":[]}");
    kv.put(EtcdKeys.tags("orphan_gone"), "[]");
    kv.put(EtcdKeys.owner("orphan_gone"), new Owner("old-uid", "orphan", "gone").toJson());
    kv.put(EtcdKeys.rules("orphan_theirs"), "{\"id\":\"orphan_theirs\"}");

    await().atMost(SOON).until(() -> kv.get(EtcdKeys.owner("orphan_gone")).isEmpty());
    assertEquals(Map.of(), kv.prefix(EtcdKeys.profileDir("orphan_gone")));
    assertEquals(
        "{\"id\":\"orphan_theirs\"}", kv.value(EtcdKeys.rules("orphan_theirs")).orElseThrow());
  }

  @Test
  void aForgedReviewChangesNothingInEtcd() throws IOException {
    client
        .resource(
            TestPods.pod("production", "db", Map.of("app", "db"), "allow tcp from label app=api"))
        .create();
    await().atMost(SOON).until(() -> kv.get(EtcdKeys.rules("production_db")).isPresent());
    Map<String, String> before = kv.prefix(EtcdKeys.profileDir("production_db"));
    long revision = kv.modRevision(EtcdKeys.rules("production_db"));

    ObjectNode review =
        (ObjectNode)
            JSON.readTree(
                AdmittedToEtcdTest.fixtures().resolve("create-with-policy/1-review.json").toFile());
    ObjectNode request = (ObjectNode) review.get("request");
    request.put("name", "db").put("namespace", "production");
    ObjectNode metadata = (ObjectNode) request.get("object").get("metadata");
    metadata.put("name", "db").put("namespace", "production").put("uid", "forged-uid");
    metadata.putObject("labels").put("app", "api");
    metadata.putObject("annotations").put("projectcalico.org/policy", "allow");
    Tls.given(base)
        .contentType("application/json")
        .body(JSON.writeValueAsBytes(review))
        .post("/validate")
        .then()
        .statusCode(200);

    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> kv.modRevision(EtcdKeys.rules("production_db")) == revision);
    assertEquals(before, kv.prefix(EtcdKeys.profileDir("production_db")));
  }

  @Test
  void reportsItselfInHealthWithoutGatingReadiness() {
    await()
        .atMost(SOON)
        .until(() -> sync.cluster().orElseThrow().reconciler().lastResync().isPresent());

    Tls.given(Tls.origin(management))
        .get("/q/health/well")
        .then()
        .statusCode(200)
        .body("checks.find { it.name == 'reconciler' }.status", equalTo("UP"))
        .body("checks.find { it.name == 'reconciler' }.data.leading", equalTo(true))
        .body(
            "checks.find { it.name == 'reconciler' }.data.identity", equalTo("replica-under-test"))
        .body("checks.find { it.name == 'reconciler' }.data.lastResync", startsWith("resync: "));
    Tls.given(Tls.origin(management))
        .get("/q/health/live")
        .then()
        .statusCode(200)
        .body("checks.find { it.name == 'profile-worker' }.status", equalTo("UP"))
        .body("checks.find { it.name == 'profile-worker' }.data.running", equalTo(true));
    Tls.given(Tls.origin(management))
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("checks.name", not(hasItem("reconciler")))
        .body("checks.find { it.name == 'takeover' }.status", equalTo("UP"))
        .body("checks.find { it.name == 'takeover' }.data.leader", equalTo("replica-under-test"))
        .body("checks.find { it.name == 'takeover' }.data.informerSynced", equalTo(true));
  }

  /**
   * The gauges of the runbook in cluster mode: this replica leads and watches, its last resync is
   * recent, and the broken pod counts as fail-closed for its reason.
   */
  @Test
  void exportsLeadershipInformerResyncAndFailClosedPods() {
    await()
        .atMost(SOON)
        .until(() -> sync.cluster().orElseThrow().reconciler().lastResync().isPresent());
    await()
        .atMost(SOON)
        .until(() -> sample("calico_pods_fail_closed{reason=\"InvalidCalicoPolicy\"}") >= 1.0);
    assertEquals(1.0, sample("calico_leader{mode=\"cluster\"}"));
    assertEquals(1.0, sample("calico_informer_watching"));
    double resyncedAt = sample("calico_resync_last_success_timestamp_seconds");
    double now = System.currentTimeMillis() / 1000.0;
    assertTrue(resyncedAt > now - 120 && resyncedAt <= now + 1, () -> "resynced at " + resyncedAt);
    assertEquals(0.0, sample("calico_pods_fail_closed{reason=\"CalicoProfileTooLarge\"}"));
  }

  private double sample(String series) {
    String scrape =
        Tls.given(management).get("/q/metrics").then().statusCode(200).extract().asString();
    return scrape
        .lines()
        .filter(line -> line.startsWith(series + " "))
        .map(line -> Double.parseDouble(line.substring(series.length() + 1).strip()))
        .findFirst()
        .orElseThrow(() -> new AssertionError(series + " is not exported"));
  }

  private List<Event> policyEvents(String pod) {
    return client.v1().events().inNamespace("before").list().getItems().stream()
        .filter(e -> pod.equals(e.getInvolvedObject().getName()))
        .filter(e -> "InvalidCalicoPolicy".equals(e.getReason()))
        .toList();
  }

  private long resyncs() {
    return sync.cluster().orElseThrow().reconciler().resyncCount();
  }

  private static Pod labelled(Pod pod) {
    return new PodBuilder(pod).editMetadata().addToLabels("tier", "db").endMetadata().build();
  }

  private JsonNode json(String key) throws IOException {
    return JSON.readTree(kv.value(key).orElseThrow(() -> new AssertionError("no " + key)));
  }
}
