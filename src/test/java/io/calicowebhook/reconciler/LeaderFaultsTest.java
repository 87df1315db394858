package io.calicowebhook.reconciler;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calicowebhook.etcd.EtcdExtension;
import io.calicowebhook.etcd.EtcdKeys;
import io.calicowebhook.etcd.EtcdKv;
import io.calicowebhook.faults.EtcdMonitor;
import io.calicowebhook.faults.FaultProxy;
import io.calicowebhook.faults.MockApiServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Faults around the leader, with two replicas on one Lease against a mock API server in CRUD mode
 * and one real etcd, which a monitor watches for the whole test: a leader cut off from the API
 * server (packets dropped, or connections refused) stops writing before the other replica takes
 * over, and none of its writes commits after the new term began; two replicas that both believe
 * they lead never both write; a replica whose watch died silently takes the lead without deleting
 * or emptying any live pod's profile. Through all of it, no pod with a valid policy loses its
 * profile.
 */
class LeaderFaultsTest {
  private static final Duration SOON = Duration.ofSeconds(40);
  private static final String POLICY = "allow tcp from label role=frontend to ports 80";
  private static final String NEW_POLICY = "allow tcp from label role=frontend to ports 8080";

  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  private MockApiServer server;
  private KubernetesClient direct;
  private KubernetesClient proxied;
  private FaultProxy proxy;
  private Replica a;
  private Replica b;
  private EtcdMonitor monitor;

  @BeforeEach
  void startApiServer() throws IOException {
    server = MockApiServer.start();
    proxy = new FaultProxy(server.port());
    direct = MockApiServer.client(server.port());
    proxied = MockApiServer.client(proxy.port());
  }

  @AfterEach
  void stopEverything() throws IOException {
    for (AutoCloseable closeable : new AutoCloseable[] {a, b, monitor}) {
      try {
        if (closeable != null) {
          closeable.close();
        }
      } catch (Exception e) {
        // closing after a fault may fail; the next test starts afresh
      }
    }
    proxy.close();
    proxied.close();
    direct.close();
    server.close();
  }

  @ParameterizedTest
  @EnumSource(
      value = FaultProxy.Mode.class,
      names = {"DROP", "REFUSE"})
  void aLeaderCutOffFromTheApiServerStopsBeforeTheOtherTakesOver(FaultProxy.Mode fault)
      throws IOException {
    a = Replica.start(proxied, ETCD.endpoint(), "replica-a");
    await().atMost(SOON).until(a::leading);
    b = Replica.start(direct, ETCD.endpoint(), "replica-b");
    Map<String, String> kept = programmed("keep-1", "keep-2", "keep-3", "change", "goes");
    String oldRules = kept.remove(EtcdKeys.rules("faults_change"));
    kept.remove(EtcdKeys.rules("faults_goes"));
    monitor = new EtcdMonitor(ETCD.endpoint(), revision());
    Transitions aStopped = Transitions.watch(() -> !a.leading());
    Transitions bLeads = Transitions.watch(b::leading);

    proxy.mode(fault);
    long faultAt = System.nanoTime();
    await().atMost(SOON).until(b::leading);
    direct.resource(pod("new-1", POLICY)).create();
    direct.resource(pod("change", NEW_POLICY)).update();
    direct.pods().inNamespace("faults").withName("goes").delete();
    EtcdKv kv = ETCD.kv();
    await().atMost(SOON).until(() -> kv.get(EtcdKeys.rules("faults_new-1")).isPresent());
    await()
        .atMost(SOON)
        .until(() -> !kv.value(EtcdKeys.rules("faults_change")).orElseThrow().equals(oldRules));
    await().atMost(SOON).until(() -> kv.get(EtcdKeys.owner("faults_goes")).isEmpty());
    String newRules = kv.value(EtcdKeys.rules("faults_change")).orElseThrow();
    await() // a deposed leader that still wrote would roll these back within its retries
        .during(Duration.ofSeconds(5))
        .atMost(SOON)
        .until(
            () ->
                kv.value(EtcdKeys.rules("faults_change")).orElseThrow().equals(newRules)
                    && kv.get(EtcdKeys.owner("faults_goes")).isEmpty());

    assertTrue(
        aStopped.at() > 0 && aStopped.at() < bLeads.at(),
        "replica-a stopped leading before replica-b began");
    System.out.printf(
        "LeaderFaultsTest %s: the cut-off leader stopped %d ms after the fault, the other led after"
            + " %d ms (lease 3 s, renew deadline 2 s)%n",
        fault, (aStopped.at() - faultAt) / 1_000_000, (bLeads.at() - faultAt) / 1_000_000);
    long term = kv.modRevision(EtcdKeys.TERM);
    assertTrue(
        a.own.newest() < term,
        "replica-a's last write ("
            + a.own.newest()
            + ") came before replica-b's term ("
            + term
            + ")");
    assertEquals(List.of(), monitor.violations(kept), "profiles of live pods that were taken away");
    assertEquals(
        List.of(),
        monitor.changes().stream()
            .filter(c -> c.key().equals(EtcdKeys.rules("faults_change")))
            .dropWhile(c -> !newRules.equals(c.value()))
            .filter(c -> !newRules.equals(c.value()))
            .toList(),
        "the new policy was never rolled back");
    assertEquals(
        List.of(),
        monitor.changes().stream()
            .filter(c -> c.key().startsWith(EtcdKeys.profileDir("faults_goes")))
            .dropWhile(c -> c.value() != null)
            .filter(c -> c.value() != null)
            .toList(),
        "the deleted pod's profile never came back");

    proxy.mode(FaultProxy.Mode.PASS);
    await().during(Duration.ofSeconds(2)).atMost(SOON).until(() -> !a.leading());
    assertTrue(a.own.newest() < term, "replica-a, back as a follower, wrote nothing");
  }

  @Test
  void twoReplicasThatBothBelieveTheyLeadNeverBothWrite() {
    a = Replica.create(direct, ETCD.endpoint(), "replica-a", Map.of());
    b = Replica.create(direct, ETCD.endpoint(), "replica-b", Map.of());
    a.sync.pods().start();
    b.sync.pods().start();
    direct.resource(pod("first", POLICY)).create();
    a.sync.reconciler().startLeading();
    EtcdKv kv = ETCD.kv();
    await().atMost(SOON).until(() -> kv.get(EtcdKeys.rules("faults_first")).isPresent());
    monitor = new EtcdMonitor(ETCD.endpoint(), revision());

    b.sync.reconciler().startLeading(); // no Lease: both now believe they lead
    await().atMost(SOON).until(() -> b.sync.worker().running());
    long term = kv.modRevision(EtcdKeys.TERM);
    direct.resource(pod("second", POLICY)).create(); // both informers queue it for both workers
    await().atMost(SOON).until(() -> kv.get(EtcdKeys.rules("faults_second")).isPresent());
    await().atMost(SOON).until(() -> !a.sync.reconciler().leading());

    assertTrue(a.own.newest() < term, "no write of replica-a after replica-b's term began");
    assertEquals(1.0, a.metrics.counter("calico.fence.lost").count(), "replica-a lost its fence");
    assertTrue(b.sync.reconciler().leading(), "replica-b leads on");
  }

  @Test
  void aReplicaWhoseWatchDiedSilentlyTakesTheLeadWithoutDeletingLiveProfiles() {
    a = Replica.start(direct, ETCD.endpoint(), "replica-a");
    await().atMost(SOON).until(a::leading);
    b = Replica.start(proxied, ETCD.endpoint(), "replica-b");
    Map<String, String> kept = programmed("old-1", "old-2");
    await().atMost(SOON).until(() -> b.sync.pods().size() == 2);

    proxy.silenceWatches(true); // replica-b hears nothing more, and no error says so
    Map<String, String> created = programmed("new-1", "new-2", "new-3", "new-4");
    kept.putAll(created);
    monitor = new EtcdMonitor(ETCD.endpoint(), revision());
    a.close();
    a = null;
    await().atMost(SOON).until(b::leading);
    await() // the new leader's cache lacks new-1..4: it resyncs and deletes nothing meanwhile
        .during(Duration.ofSeconds(6))
        .atMost(SOON)
        .until(() -> b.sync.reconciler().leading() && b.sync.reconciler().resyncCount() == 0);
    assertTrue(b.sync.pods().restarts() >= 1, "the silent watch was found and started anew");
    assertTrue(!b.sync.pods().watching(), "the health check's informerWatching says the truth");

    proxy.silenceWatches(false);
    await().atMost(SOON).until(() -> b.sync.reconciler().resyncCount() >= 1);
    await().atMost(SOON).until(() -> b.sync.pods().size() == 6);
    direct.pods().inNamespace("faults").withName("new-4").delete();
    await().atMost(SOON).until(() -> ETCD.kv().get(EtcdKeys.owner("faults_new-4")).isEmpty());
    kept.remove(EtcdKeys.rules("faults_new-4"));
    assertEquals(List.of(), monitor.violations(kept), "profiles of live pods that were taken away");
  }

  /** Creates the pods with a valid policy and waits for their profiles; answers rules by key. */
  private Map<String, String> programmed(String... names) {
    EtcdKv kv = ETCD.kv();
    Map<String, String> rules = new HashMap<>();
    for (String name : names) {
      direct.resource(pod(name, POLICY)).create();
    }
    for (String name : names) {
      String key = EtcdKeys.rules("faults_" + name);
      await().atMost(SOON).until(() -> kv.get(key).isPresent());
      rules.put(key, kv.value(key).orElseThrow());
    }
    return rules;
  }

  private Pod pod(String name, String policy) {
    Pod existing = direct.pods().inNamespace("faults").withName(name).get();
    Pod pod = TestPods.pod("faults", name, Map.of("app", name), policy);
    return existing == null
        ? pod
        : new PodBuilder(existing)
            .editMetadata()
            .addToAnnotations("projectcalico.org/policy", policy)
            .endMetadata()
            .build();
  }

  private static long revision() {
    return ETCD.kv()
        .client()
        .getKVClient()
        .get(io.etcd.jetcd.ByteSequence.from("/", java.nio.charset.StandardCharsets.UTF_8))
        .join()
        .getHeader()
        .getRevision();
  }

  /** When a condition first became true, polled every 10 ms on a thread of its own. */
  private static final class Transitions {
    private final AtomicLong at = new AtomicLong();

    static Transitions watch(java.util.function.BooleanSupplier condition) {
      Transitions transitions = new Transitions();
      Thread thread =
          new Thread(
              () -> {
                while (transitions.at.get() == 0) {
                  if (condition.getAsBoolean()) {
                    transitions.at.set(System.nanoTime());
                  }
                  try {
                    Thread.sleep(10);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "transition-watch");
      thread.setDaemon(true);
      thread.start();
      return transitions;
    }

    long at() {
      return at.get();
    }
  }
}
