package io.calicowebhook.worker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.calicowebhook.etcd.EtcdAlarms;
import io.calicowebhook.etcd.EtcdExtension;
import io.calicowebhook.etcd.EtcdKeys;
import io.calicowebhook.etcd.EtcdKv;
import io.calicowebhook.etcd.EtcdProcess;
import io.calicowebhook.etcd.TxnLimits;
import io.calicowebhook.pod.PodKey;
import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.profile.DefaultPolicy;
import io.calicowebhook.profile.ProfileBuilder;
import io.calicowebhook.store.OwnRevisions;
import io.calicowebhook.store.Owner;
import io.calicowebhook.store.ProfileStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The worker against a real etcd started by the test: what each admitted pod becomes in etcd. */
class ProfileWorkerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration PROGRAMMED = Duration.ofSeconds(30);
  private static final String OUT = "\"outbound_rules\":[{\"action\":\"allow\"}]";
  private static final String POLICY = "projectcalico.org/policy";

  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  private final AdmittedPods pods = new AdmittedPods();
  private EtcdKv kv;
  private EtcdProcess etcd;
  private MeterRegistry metrics;
  private FailClosedPods failClosed;
  private ProfileWorker worker;

  @BeforeEach
  void newWorker() {
    kv = ETCD.kv();
    etcd = ETCD.process();
    worker = newWorker(DefaultPolicy.NS_ISOLATION, pods);
  }

  @AfterEach
  void stopWorker() {
    worker.close();
  }

  static Stream<Arguments> specExamples() {
    return Stream.of(
        Arguments.of(
            "pod without policy, ns_isolation (SPEC 3)",
            pod("production", "pod1", Map.of("role", "backend", "version", "v1.2.3"), Map.of()),
            "{\"id\":\"production_pod1\",\"inbound_rules\":[{\"action\":\"allow\","
                + "\"src_tag\":\"namespace_production\"}],"
                + OUT
                + "}",
            "[\"namespace_production\",\"production_role_backend\","
                + "\"production_version_v1.2.3\"]"),
        Arguments.of(
            "annotation of SPEC 1",
            pod(
                "production",
                "web",
                Map.of("role", "frontend"),
                Map.of(
                    "projectcalico.org/policy",
                    "allow from label role=backend; allow tcp to ports 4001,443")),
            "{\"id\":\"production_web\",\"inbound_rules\":["
                + "{\"action\":\"allow\",\"src_tag\":\"production_role_backend\"},"
                + "{\"action\":\"allow\",\"protocol\":\"tcp\",\"dst_ports\":[4001,443]}],"
                + OUT
                + "}",
            "[\"namespace_production\",\"production_role_frontend\"]"),
        Arguments.of(
            "kube-system allows everything whatever the annotation",
            pod("kube-system", "dns", Map.of(), Map.of("projectcalico.org/policy", "allow tcp")),
            "{\"id\":\"kube-system_dns\",\"inbound_rules\":[{\"action\":\"allow\"}]," + OUT + "}",
            "[\"namespace_kube-system\"]"),
        Arguments.of(
            "legacy key policy",
            pod("ns", "old", Map.of(), Map.of("policy", "allow")),
            "{\"id\":\"ns_old\",\"inbound_rules\":[{\"action\":\"allow\"}]," + OUT + "}",
            "[\"namespace_ns\"]"),
        sectionFour("allow", "{\"action\":\"allow\"}"),
        sectionFour(
            "allow from label role=db", "{\"action\":\"allow\",\"src_tag\":\"ns_role_db\"}"),
        sectionFour(
            "allow tcp to ports 80,8000:8080",
            "{\"action\":\"allow\",\"protocol\":\"tcp\",\"dst_ports\":[80,\"8000:8080\"]}"),
        sectionFour(
            "allow udp from ports 53 cidr 10.0.0.0/8",
            "{\"action\":\"allow\",\"protocol\":\"udp\",\"src_ports\":[53],"
                + "\"src_net\":\"10.0.0.0/8\"}"),
        sectionFour(
            "allow icmp type 8 code 0 from cidr 1.2.3.4",
            "{\"action\":\"allow\",\"protocol\":\"icmp\",\"icmp_type\":8,\"icmp_code\":0,"
                + "\"src_net\":\"1.2.3.4/32\"}"),
        Arguments.of(
            "escaped label tags: prefixed key, underscore doubled",
            pod("ns", "p", Map.of("app.kubernetes.io/name", "web_1"), Map.of()),
            "{\"id\":\"ns_p\",\"inbound_rules\":[{\"action\":\"allow\","
                + "\"src_tag\":\"namespace_ns\"}],"
                + OUT
                + "}",
            "[\"namespace_ns\",\"ns_app.kubernetes.io_name_web__1\"]"));
  }

  private static Arguments sectionFour(String policy, String rule) {
    return Arguments.of(
        "SPEC 4: " + policy,
        pod("ns", "pod", Map.of(), Map.of("projectcalico.org/policy", policy)),
        "{\"id\":\"ns_pod\",\"inbound_rules\":[" + rule + "]," + OUT + "}",
        "[\"namespace_ns\"]");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specExamples")
  void programsSpecExampleExactly(String example, PodMeta pod, String rules, String tags)
      throws Exception {
    worker.start();

    admit(pod);

    String id = pod.namespace() + "_" + pod.name();
    await().atMost(PROGRAMMED).until(() -> kv.get(EtcdKeys.tags(id)).isPresent());
    assertEquals(JSON.readTree(rules), json(EtcdKeys.rules(id)));
    assertEquals(JSON.readTree(tags), json(EtcdKeys.tags(id)));
    assertEquals(
        new Owner(pod.uid(), pod.namespace(), pod.name()),
        Owner.parse(kv.value(EtcdKeys.owner(id)).orElseThrow()).orElseThrow());
  }

  @Test
  void programsDefaultPolicyAllow() throws Exception {
    worker.close();
    worker = newWorker(DefaultPolicy.ALLOW, pods);
    worker.start();

    admit(pod("ns", "open", Map.of(), Map.of()));

    await().atMost(PROGRAMMED).until(() -> kv.get(EtcdKeys.rules("ns_open")).isPresent());
    assertEquals(
        JSON.readTree(
            "{\"id\":\"ns_open\",\"inbound_rules\":[{\"action\":\"allow\"}]," + OUT + "}"),
        json(EtcdKeys.rules("ns_open")));
  }

  @Test
  void doesNotRewriteUnchangedProfile() {
    worker.start();
    PodMeta pod = pod("ns", "same", Map.of("a", "b"), Map.of());
    admit(pod);
    await().atMost(PROGRAMMED).until(() -> worker.pending() == 0);
    long rules = kv.modRevision(EtcdKeys.rules("ns_same"));
    long tags = kv.modRevision(EtcdKeys.tags("ns_same"));

    admit(pod);

    await().atMost(PROGRAMMED).until(() -> skipped("unchanged") == 1);
    assertEquals(rules, kv.modRevision(EtcdKeys.rules("ns_same")));
    assertEquals(tags, kv.modRevision(EtcdKeys.tags("ns_same")));
  }

  @Test
  void labelChangeChangesTags() throws Exception {
    worker.start();
    admit(pod("ns", "p", Map.of("version", "1"), Map.of()));
    await().atMost(PROGRAMMED).until(() -> kv.get(EtcdKeys.tags("ns_p")).isPresent());

    admit(pod("ns", "p", Map.of("version", "2"), Map.of()));

    await()
        .atMost(PROGRAMMED)
        .until(() -> kv.value(EtcdKeys.tags("ns_p")).orElseThrow().contains("ns_version_2"));
    assertEquals(JSON.readTree("[\"namespace_ns\",\"ns_version_2\"]"), json(EtcdKeys.tags("ns_p")));
  }

  /**
   * Profiles written before the pod-id tag was dropped (issue 9) carry it; the next write of the
   * pod rewrites its tags without it, since the stored value differs from the desired one.
   */
  @Test
  void rewritesTagsStoredWithTheOldPodIdTag() throws Exception {
    PodMeta pod = pod("namespace", "production", Map.of("app", "web"), Map.of());
    String rules =
        "{\"id\":\"namespace_production\",\"inbound_rules\":[{\"action\":\"allow\","
            + "\"src_tag\":\"namespace_namespace\"}],"
            + OUT
            + "}";
    kv.put(EtcdKeys.rules("namespace_production"), rules);
    kv.put(
        EtcdKeys.tags("namespace_production"),
        "[\"namespace_app_web\",\"namespace_namespace\",\"namespace_production\"]");
    kv.put(
        EtcdKeys.owner("namespace_production"),
        new Owner(pod.uid(), pod.namespace(), pod.name()).toJson());
    long rulesRevision = kv.modRevision(EtcdKeys.rules("namespace_production"));
    worker.start();

    admit(pod);

    await().atMost(PROGRAMMED).until(() -> written("updated") == 1);
    assertEquals(
        "[\"namespace_app_web\",\"namespace_namespace\"]",
        kv.value(EtcdKeys.tags("namespace_production")).orElseThrow());
    assertEquals(JSON.readTree(rules), json(EtcdKeys.rules("namespace_production")));
    assertEquals(rulesRevision, kv.modRevision(EtcdKeys.rules("namespace_production")));
  }

  @Test
  void coalescesManyUpdatesOfOnePodIntoItsLastState() {
    IntStream.range(0, 500)
        .forEach(i -> admit(pod("ns", "busy", Map.of("version", "v" + i), Map.of())));
    assertEquals(1, worker.pending());

    worker.start();

    await().atMost(PROGRAMMED).until(() -> worker.pending() == 0);
    assertEquals(
        "[\"namespace_ns\",\"ns_version_v499\"]", kv.value(EtcdKeys.tags("ns_busy")).orElseThrow());
    assertEquals(1.0, written("created"));
    assertEquals(0.0, written("updated"));
  }

  @Test
  void lastStateWinsWhileUpdatesArriveDuringWrites() {
    worker.start();
    List<Thread> writers =
        IntStream.range(0, 4)
            .mapToObj(
                t ->
                    new Thread(
                        () ->
                            IntStream.range(0, 300)
                                .forEach(
                                    i ->
                                        admit(pod("ns", "p" + t, Map.of("v", "v" + i), Map.of())))))
            .toList();
    writers.forEach(Thread::start);
    writers.forEach(ProfileWorkerTest::join);

    await().atMost(PROGRAMMED).until(() -> worker.pending() == 0);
    for (int t = 0; t < 4; t++) {
      assertEquals(
          "[\"namespace_ns\",\"ns_v_v299\"]", kv.value(EtcdKeys.tags("ns_p" + t)).orElseThrow());
    }
    assertEquals(0, pods.size(), "written states are dropped");
  }

  @Test
  void writesNothingForHostNetworkPod() {
    worker.start();
    admit(new PodMeta("ns", "host", "uid-host", Map.of(), Map.of(), true));
    admit(pod("ns", "after", Map.of(), Map.of()));

    await().atMost(PROGRAMMED).until(() -> worker.pending() == 0);
    assertEquals(Map.of(), kv.prefix(EtcdKeys.profileDir("ns_host")));
    assertFalse(kv.get(EtcdKeys.owner("ns_host")).isPresent());
    assertEquals(0, pods.size());
  }

  @Test
  void failsClosedForPodWhosePolicyDoesNotParse() throws Exception {
    worker.start();
    admit(pod("ns", "bad", Map.of("app", "db"), Map.of("projectcalico.org/policy", "deny tcp")));
    admit(pod("ns", "good", Map.of(), Map.of()));

    await().atMost(PROGRAMMED).until(() -> worker.pending() == 0);
    assertEquals(
        JSON.readTree("{\"id\":\"ns_bad\",\"inbound_rules\":[]," + OUT + "}"),
        json(EtcdKeys.rules("ns_bad")),
        "no inbound rule: all inbound traffic dropped, never more than the policy meant");
    assertEquals(JSON.readTree("[\"namespace_ns\",\"ns_app_db\"]"), json(EtcdKeys.tags("ns_bad")));
    assertEquals(1.0, skipped("invalid"));
    assertTrue(kv.get(EtcdKeys.rules("ns_good")).isPresent());
  }

  @Test
  void countsFailClosedPodsUntilTheirPolicyIsFixedOrTheyAreGone() {
    FakePods source = new FakePods();
    worker.close();
    worker = newWorker(DefaultPolicy.NS_ISOLATION, source);
    worker.start();
    PodMeta bad = pod("ns", "bad", Map.of(), Map.of(POLICY, "deny tcp"));
    PodMeta worse = pod("ns", "worse", Map.of(), Map.of(POLICY, "allow tcp to ports 80,Y"));
    for (PodMeta pod : List.of(bad, worse, pod("ns", "fine", Map.of(), Map.of()))) {
      source.present(pod);
      worker.submit(pod.key());
    }
    await().atMost(PROGRAMMED).until(() -> failedClosed() == 2.0);

    source.present(pod("ns", "bad", Map.of(), Map.of(POLICY, "allow tcp to ports 80")));
    worker.submit(bad.key());
    await().atMost(PROGRAMMED).until(() -> failedClosed() == 1.0);
    source.gone(worse.key());
    worker.submit(worse.key());
    await().atMost(PROGRAMMED).until(() -> failedClosed() == 0.0);
    assertEquals(0, failClosed.count(PolicyProblem.Reason.CalicoProfileTooLarge));
  }

  private double failedClosed() {
    return metrics
        .get("calico.pods.fail.closed")
        .tag("reason", "InvalidCalicoPolicy")
        .gauge()
        .value();
  }

  @Test
  void failsClosedForProfileOverTheByteLimit() throws Exception {
    worker.close();
    worker = newWorker(DefaultPolicy.NS_ISOLATION, pods, new TxnLimits(128, 64 * 1024));
    worker.start();
    String huge =
        String.join("; ", java.util.Collections.nCopies(3000, "allow from cidr 10.0.0.1"));
    admit(pod("ns", "huge", Map.of(), Map.of("projectcalico.org/policy", huge)));
    admit(pod("ns", "small", Map.of(), Map.of()));

    await().atMost(PROGRAMMED).until(() -> worker.pending() == 0);
    assertEquals(
        JSON.readTree("{\"id\":\"ns_huge\",\"inbound_rules\":[]," + OUT + "}"),
        json(EtcdKeys.rules("ns_huge")));
    assertEquals(1.0, skipped("too_large"));
    assertTrue(kv.get(EtcdKeys.rules("ns_small")).isPresent());
  }

  @Test
  void deletesTheOwnedProfileOfAGonePodAndWritesNothingForAnUnknownOne() {
    FakePods source = new FakePods();
    worker.close();
    worker = newWorker(DefaultPolicy.NS_ISOLATION, source);
    worker.start();
    PodMeta pod = pod("ns", "p", Map.of(), Map.of());
    source.present(pod);
    worker.submit(pod.key());
    await().atMost(PROGRAMMED).until(() -> kv.get(EtcdKeys.owner("ns_p")).isPresent());
    kv.put(EtcdKeys.rules("ns_theirs"), "{}");

    source.gone(pod.key());
    worker.submit(pod.key());
    source.gone(new PodKey("ns", "theirs"));
    worker.submit(new PodKey("ns", "theirs"));
    worker.submit(new PodKey("ns", "unknown"));

    await().atMost(PROGRAMMED).until(() -> kv.get(EtcdKeys.owner("ns_p")).isEmpty());
    await().atMost(PROGRAMMED).until(() -> worker.pending() == 0);
    assertEquals(Map.of(), kv.prefix(EtcdKeys.profileDir("ns_p")));
    assertEquals("{}", kv.value(EtcdKeys.rules("ns_theirs")).orElseThrow(), "foreign stays");
    assertEquals(1.0, metrics.counter("calico.profiles.deleted").count());
  }

  @Test
  void goesOnAfterAnErrorAndReportsItForLiveness() {
    FakePods source = new FakePods();
    worker.close();
    worker = newWorker(DefaultPolicy.NS_ISOLATION, source);
    worker.start();
    PodKey poisoned = new PodKey("ns", "oom");
    source.failing(poisoned, new OutOfMemoryError("Java heap space (simulated)"));
    worker.submit(poisoned);
    await().atMost(PROGRAMMED).until(() -> worker.fatalError().isPresent());

    PodMeta after = pod("ns", "after", Map.of(), Map.of());
    source.present(after);
    worker.submit(after.key());

    await().atMost(PROGRAMMED).until(() -> kv.get(EtcdKeys.rules("ns_after")).isPresent());
    assertTrue(worker.dispatcherAlive(), "the dispatcher survived the Error");
    assertTrue(worker.fatalError().get() instanceof OutOfMemoryError);
  }

  @Test
  void stopsWritingAtOnceAndStartsAgain() {
    worker.start();
    worker.stop();
    admit(pod("ns", "later", Map.of(), Map.of()));
    assertFalse(worker.running());

    await() // a stopped worker writes nothing, for as long as it stays stopped
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(2))
        .until(() -> kv.get(EtcdKeys.rules("ns_later")).isEmpty());

    worker.start();
    await().atMost(PROGRAMMED).until(() -> kv.get(EtcdKeys.rules("ns_later")).isPresent());
  }

  @Test
  void leavesForeignProfileUntouched() {
    kv.put(EtcdKeys.rules("ns_theirs"), "{\"id\":\"ns_theirs\",\"inbound_rules\":[]}");
    kv.put(EtcdKeys.tags("ns_theirs"), "[\"ns_theirs\"]");
    Map<String, String> before = kv.prefix(EtcdKeys.profileDir("ns_theirs"));
    long revision = kv.modRevision(EtcdKeys.rules("ns_theirs"));
    worker.start();

    admit(pod("ns", "theirs", Map.of("x", "y"), Map.of()));
    admit(pod("ns", "theirs", Map.of("x", "z"), Map.of()));

    await().atMost(PROGRAMMED).until(() -> worker.pending() == 0 && skipped("foreign") >= 1);
    assertEquals(before, kv.prefix(EtcdKeys.profileDir("ns_theirs")));
    assertEquals(revision, kv.modRevision(EtcdKeys.rules("ns_theirs")));
    assertFalse(kv.get(EtcdKeys.owner("ns_theirs")).isPresent());
  }

  @Test
  void keepsProfilesWhileEtcdIsDown() {
    worker.start();
    etcd.stop();
    try {
      IntStream.range(0, 300).forEach(i -> admit(pod("outage", "p" + i, Map.of(), Map.of())));
      await().atMost(PROGRAMMED).until(() -> etcdFailures("unavailable") >= 2);
      assertEquals(300, worker.pending(), "nothing is lost while etcd is down");
    } finally {
      etcd.start();
    }

    await().atMost(Duration.ofSeconds(60)).until(() -> worker.pending() == 0);
    assertEquals(300, kv.count(EtcdKeys.OWNER_PREFIX + "outage_"));
    assertEquals(600, kv.count(EtcdKeys.PROFILE_PREFIX + "outage_"));
    double failures = etcdFailures();
    assertTrue(metrics.counter("calico.profiles.retries").count() >= failures);
  }

  @Test
  void keepsEveryProfileAndQueuesWhileEtcdsSpaceIsFull() throws Exception {
    PodMeta steady = pod("quota", "steady", Map.of(), Map.of(POLICY, "allow from cidr 10.0.0.1"));
    worker.start();
    admit(steady);
    await().atMost(PROGRAMMED).until(() -> kv.get(EtcdKeys.owner("quota_steady")).isPresent());
    String before = kv.value(EtcdKeys.rules("quota_steady")).orElseThrow();
    EtcdAlarms.activate(ETCD.endpoint(), ETCD.client(), "NOSPACE");
    try {
      admit(pod("quota", "steady", Map.of(), Map.of(POLICY, "allow from cidr 10.0.0.2")));
      IntStream.range(0, 3).forEach(i -> admit(pod("quota", "new" + i, Map.of(), Map.of())));

      await().atMost(PROGRAMMED).until(() -> etcdFailures("nospace") >= 2);
      assertEquals(4, worker.pending(), "everything stays queued");
      assertEquals(before, kv.value(EtcdKeys.rules("quota_steady")).orElseThrow());
      assertEquals(0.0, skipped("too_large"), "a full quota is no profile's size");
      assertEquals(etcdFailures(), etcdFailures("nospace"));
    } finally {
      EtcdAlarms.disarmAll(ETCD.client());
    }

    await().atMost(PROGRAMMED).until(() -> worker.pending() == 0);
    assertEquals(
        "{\"id\":\"quota_steady\",\"inbound_rules\":[{\"action\":\"allow\","
            + "\"src_net\":\"10.0.0.2/32\"}],"
            + OUT
            + "}",
        kv.value(EtcdKeys.rules("quota_steady")).orElseThrow());
    assertEquals(4, kv.count(EtcdKeys.OWNER_PREFIX + "quota_"));
  }

  @Test
  void drainsPendingProfilesOnShutdown() {
    IntStream.range(0, 200).forEach(i -> admit(pod("drain", "p" + i, Map.of(), Map.of())));
    worker.start();

    boolean drained =
        assertTimeoutPreemptively(
            Duration.ofSeconds(30), () -> worker.drain(Duration.ofSeconds(20)));

    assertTrue(drained);
    assertEquals(200, kv.count(EtcdKeys.OWNER_PREFIX + "drain_"));
  }

  @Test
  void givesUpDrainingAfterTheTimeoutWhileEtcdIsDown() {
    worker.start();
    etcd.stop();
    try {
      admit(pod("ns", "stuck", Map.of(), Map.of()));

      boolean drained =
          assertTimeoutPreemptively(
              Duration.ofSeconds(10), () -> worker.drain(Duration.ofMillis(500)));

      assertFalse(drained);
    } finally {
      etcd.start();
    }
  }

  private ProfileWorker newWorker(DefaultPolicy policy, PodStateSource source) {
    return newWorker(policy, source, new TxnLimits(128, 1_400_000));
  }

  private ProfileWorker newWorker(DefaultPolicy policy, PodStateSource source, TxnLimits limits) {
    metrics = new SimpleMeterRegistry();
    failClosed = new FailClosedPods(metrics);
    ProfileStore store =
        new ProfileStore(
            ETCD.client().getKVClient(),
            limits,
            Duration.ofSeconds(5),
            metrics,
            new OwnRevisions());
    WorkerSettings settings =
        new WorkerSettings(4, Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofSeconds(5));
    return new ProfileWorker(
        source,
        new ProfilePlanner(new ProfileBuilder(policy), limits),
        store,
        ProblemReports.logOnly().countingIn(failClosed),
        settings,
        metrics);
  }

  private void admit(PodMeta pod) {
    pods.record(pod);
    worker.submit(pod.key());
  }

  private double written(String result) {
    return metrics.counter("calico.profiles.written", "result", result).count();
  }

  private double etcdFailures(String reason) {
    return metrics.counter("calico.etcd.failures", "reason", reason).count();
  }

  private double etcdFailures() {
    return metrics.find("calico.etcd.failures").counters().stream()
        .mapToDouble(Counter::count)
        .sum();
  }

  private double skipped(String reason) {
    return metrics.counter("calico.profiles.skipped", "reason", reason).count();
  }

  private JsonNode json(String key) throws Exception {
    return JSON.readTree(kv.value(key).orElseThrow());
  }

  private static PodMeta pod(
      String namespace, String name, Map<String, String> labels, Map<String, String> annotations) {
    return new PodMeta(
        namespace, name, "uid-" + namespace + "-" + name, labels, annotations, false);
  }

  private static void join(Thread thread) {
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
