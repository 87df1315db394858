package io.calicowebhook.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calicowebhook.etcd.EtcdExtension;
import io.calicowebhook.etcd.EtcdKeys;
import io.calicowebhook.etcd.EtcdKv;
import io.calicowebhook.etcd.TxnLimits;
import io.calicowebhook.pod.PodKey;
import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.profile.DefaultPolicy;
import io.calicowebhook.profile.ProfileBuilder;
import io.calicowebhook.store.DesiredProfile;
import io.calicowebhook.store.OwnRevisions;
import io.calicowebhook.store.Owner;
import io.calicowebhook.store.ProfileScan;
import io.calicowebhook.store.ProfileStore;
import io.calicowebhook.worker.PolicyProblem;
import io.calicowebhook.worker.ProfilePlanner;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The resync against a real etcd: exactly the differences are queued, and counted. */
class ResyncTest {
  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  private final TxnLimits limits = new TxnLimits(128, 1_400_000);
  private final ProfilePlanner desired =
      new ProfilePlanner(new ProfileBuilder(DefaultPolicy.NS_ISOLATION), limits);
  private EtcdKv kv;
  private ProfileStore store;
  private Resync resync;

  @BeforeEach
  void connect() {
    kv = ETCD.kv();
    store =
        new ProfileStore(
            ETCD.client().getKVClient(),
            limits,
            Duration.ofSeconds(5),
            new SimpleMeterRegistry(),
            new OwnRevisions());
    // a page of three keys: every listing below takes several pages
    resync =
        new Resync(desired, new ProfileScan(ETCD.client().getKVClient(), 3, Duration.ofSeconds(5)));
  }

  @Test
  void queuesExactlyTheDifferencesAndCountsThem() throws Exception {
    PodMeta same = pod("ns", "same", "u1", Map.of("a", "1"));
    PodMeta relabelled = pod("ns", "relabelled", "u2", Map.of("v", "1"));
    PodMeta recreated = pod("ns", "recreated", "u3", Map.of());
    PodMeta fresh = pod("ns", "fresh", "u4", Map.of());
    PodMeta theirs = pod("ns", "theirs", "u5", Map.of());
    PodMeta host = new PodMeta("ns", "host", "u6", Map.of(), Map.of(), true);
    program(same, pod("ns", "relabelled", "u2", Map.of("v", "0")));
    program(pod("ns", "recreated", "old-uid", Map.of()));
    program(pod("ns", "gone", "u7", Map.of()));
    kv.put(EtcdKeys.rules("ns_theirs"), "{}");
    kv.put(EtcdKeys.owner("ns_host"), new Owner("u6", "ns", "host").toJson());

    List<PodKey> queued = new ArrayList<>();
    Resync.Report report =
        resync.run(List.of(same, relabelled, recreated, fresh, theirs, host), queued::add);

    assertEquals(
        Set.of(
            relabelled.key(), recreated.key(), fresh.key(), host.key(), new PodKey("ns", "gone")),
        Set.copyOf(queued));
    assertEquals(queued.size(), Set.copyOf(queued).size(), "each pod queued once");
    assertEquals(6, report.pods());
    assertEquals(2, report.created(), "fresh, and recreated under a new uid");
    assertEquals(1, report.updated(), "relabelled");
    assertEquals(3, report.deleted(), "gone, the old recreated one, host network");
    assertEquals(1, report.unchanged(), "same");
    assertEquals(1, report.foreign(), "theirs");
    assertTrue(report.revision() > 0);
    assertTrue(report.line().startsWith("resync: 6 pods seen; profiles: 2 created, 1 updated,"));
  }

  @Test
  void nothingChangedQueuesNothingAndWritesNothing() throws Exception {
    List<PodMeta> pods =
        IntStream.range(0, 50)
            .mapToObj(i -> pod("quiet", "p" + i, "u" + i, Map.of("app", "a" + (i % 3))))
            .toList();
    program(pods.toArray(PodMeta[]::new));

    List<PodKey> queued = new ArrayList<>();
    Resync.Report report = resync.run(pods, queued::add);

    assertEquals(List.of(), queued);
    assertEquals(
        List.of(50, 0, 0, 0, 0, 0),
        List.of(
            report.pods(),
            report.created(),
            report.updated(),
            report.deleted(),
            report.unchanged() - 50,
            report.foreign()));
  }

  /**
   * Each stored id finds its pod, among ids that prefix each other, and a pod whose name is not its
   * own escaping (no Kubernetes name is) finds its profile too; an id that names no pod is an
   * orphan left alone.
   */
  @Test
  void findsEachPodByItsProfileId() throws Exception {
    List<PodMeta> pods =
        List.of(
            pod("ns", "a", "u1", Map.of()),
            pod("ns", "a-b", "u2", Map.of()),
            pod("ns", "a.b", "u3", Map.of()),
            pod("ns", "ab", "u4", Map.of()),
            pod("ns", "odd_name", "u5", Map.of()),
            pod("n_s", "odd", "u6", Map.of()));
    program(pods.toArray(PodMeta[]::new));
    kv.put(EtcdKeys.owner("nopod"), new Owner("u7", "ns", "nopod").toJson());
    PodMeta fresh = pod("ns", "a-b-c", "u8", Map.of());
    List<PodMeta> now = new ArrayList<>(pods);
    now.add(fresh);

    List<PodKey> queued = new ArrayList<>();
    Resync.Report report = resync.run(now, queued::add);

    assertEquals(List.of(fresh.key()), queued);
    assertEquals(
        List.of(1, 0, 0, 6, 0),
        List.of(
            report.created(),
            report.updated(),
            report.deleted(),
            report.unchanged(),
            report.foreign()));
  }

  /** Owned profiles whose pods' policies do not parse are the fail-closed pods, and only they. */
  @Test
  void reportsThePodsWhoseOwnedProfilesAreFailClosed() throws Exception {
    PodMeta broken =
        new PodMeta(
            "ns", "broken", "u1", Map.of(), Map.of("projectcalico.org/policy", "deny tcp"), false);
    PodMeta fine = pod("ns", "fine", "u2", Map.of());
    PodMeta brokenLater =
        new PodMeta(
            "ns",
            "later",
            "u3",
            Map.of(),
            Map.of("projectcalico.org/policy", "allow tcp to 1,Y"),
            false);
    program(broken, fine, pod("ns", "later", "u3", Map.of()));
    List<Map<PodKey, PolicyProblem.Reason>> found = new ArrayList<>();
    resync.onFailClosed(found::add);

    resync.run(List.of(broken, fine, brokenLater), key -> {});

    assertEquals(
        List.of(
            Map.of(
                broken.key(), PolicyProblem.Reason.InvalidCalicoPolicy,
                brokenLater.key(), PolicyProblem.Reason.InvalidCalicoPolicy)),
        found);
  }

  private void program(PodMeta... pods) throws Exception {
    List<DesiredProfile> profiles = new ArrayList<>();
    for (PodMeta pod : pods) {
      if (desired.desire(pod) instanceof ProfilePlanner.Write write) {
        profiles.add(write.profile());
      }
    }
    store.write(profiles).get(10, TimeUnit.SECONDS);
  }

  private static PodMeta pod(
      String namespace, String name, String uid, Map<String, String> labels) {
    return new PodMeta(namespace, name, uid, labels, Map.of(), false);
  }
}
