package io.calicowebhook.reconciler;

import static org.junit.jupiter.api.Assertions.fail;

import io.calicowebhook.etcd.EtcdKeys;
import io.calicowebhook.etcd.EtcdKv;
import io.calicowebhook.etcd.EtcdProcess;
import io.calicowebhook.faults.EtcdMonitor;
import io.calicowebhook.faults.FaultProxy;
import io.calicowebhook.faults.MockApiServer;
import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.profile.DefaultPolicy;
import io.calicowebhook.profile.ProfileBuilder;
import io.calicowebhook.worker.ProfilePlanner;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Random faults from a seed against three replicas on one Lease, one mock API server and one real
 * etcd, while pods are created, changed and deleted, with the invariants checked all along (the
 * etcd project's functional tester and Jepsen are the models). Run by {@code make chaos SEED=...
 * MINUTES=...}; not part of {@code make test}.
 *
 * <p>Faults, at most two at a time: one replica's packets to the API server dropped, or its
 * connections refused; one replica's watch silenced; etcd killed with SIGKILL and started again;
 * the leader shut down and a new replica started in its place.
 *
 * <p>Invariants:
 *
 * <ol>
 *   <li>no pod with a valid policy ever loses its programmed profile: once programmed, its rules
 *       key is never deleted nor set to anything but the rules of a policy it had;
 *   <li>after the last fault heals, etcd equals the desired state within the resync period and a
 *       few seconds;
 *   <li>no transaction commits after its writer's fence moved: every change of a profile was
 *       written by the replica whose term record was the latest at that revision.
 * </ol>
 *
 * <p>When one breaks, the seed and a timeline of faults and pod changes are printed.
 */
@EnabledIfSystemProperty(named = "chaos.minutes", matches = "\\d+(\\.\\d+)?")
class ChaosTest {
  private static final String NAMESPACE = "chaos";
  private static final List<String> POLICIES =
      List.of(
          "allow tcp from label role=frontend to ports 80",
          "allow tcp from label role=backend to ports 5432; allow tcp to ports 443",
          "allow udp to ports 53");
  private static final Duration RESYNC = Duration.ofSeconds(10);

  private final long seed = Long.getLong("chaos.seed", System.currentTimeMillis());
  private final Random random = new Random(seed);
  private final List<String> timeline = new ArrayList<>();
  private final long started = System.nanoTime();
  private final ProfilePlanner planner =
      new ProfilePlanner(
          new ProfileBuilder(DefaultPolicy.NS_ISOLATION),
          new io.calicowebhook.etcd.TxnLimits(128, 1_400_000));

  /** Every pod ever created: its labels, its policies over time, and whether it lives. */
  private final Map<String, PodHistory> pods = new ConcurrentHashMap<>();

  private final Map<String, Replica> everyReplica = new ConcurrentHashMap<>();
  private final List<Node> nodes = new ArrayList<>();
  private MockApiServer server;
  private KubernetesClient direct;
  private EtcdProcess etcd;
  private int apiPort;
  private int replicaCount;

  private static final class PodHistory {
    final Map<String, String> labels;
    final Set<String> allowedRules = ConcurrentHashMap.newKeySet();
    volatile String policy;
    volatile boolean live = true;
    volatile boolean programmed;

    PodHistory(Map<String, String> labels, String policy) {
      this.labels = labels;
      this.policy = policy;
    }
  }

  /** One replica slot: the replica in it now, behind a proxy of its own. */
  private final class Node {
    final FaultProxy proxy;
    final KubernetesClient client;
    Replica replica;
    String fault = "";

    Node() throws IOException {
      proxy = new FaultProxy(apiPort);
      client = MockApiServer.client(proxy.port());
      replica = newReplica();
    }

    Replica newReplica() {
      String name = "replica-" + replicaCount++;
      Replica made =
          Replica.start(
              client, etcd.endpoint(), name, Map.of("calico.reconciler.resync-period", "10s"));
      everyReplica.put(name, made);
      note("started " + name);
      return made;
    }
  }

  @Test
  void invariantsHoldUnderRandomFaults() throws Exception {
    double minutes = Double.parseDouble(System.getProperty("chaos.minutes"));
    note("seed " + seed + ", " + minutes + " minutes");
    server = MockApiServer.start();
    apiPort = server.port();
    direct = MockApiServer.client(apiPort);
    etcd = EtcdProcess.startTemporary();
    try (EtcdKv kv = new EtcdKv(etcd.endpoint());
        EtcdMonitor monitor = new EtcdMonitor(etcd.endpoint(), 0)) {
      for (int i = 0; i < 3; i++) {
        nodes.add(new Node());
      }
      run(Duration.ofMillis((long) (minutes * 60_000)), monitor);
      healEverything();
      converge(kv, monitor);
      checkFences(monitor, monitor.changes().size());
      note("invariants held: " + monitor.changes().size() + " changes in etcd checked");
      System.out.println(String.join("\n", timeline));
    } finally {
      for (Node node : nodes) {
        closeQuietly(node.replica);
        closeQuietly(node.proxy);
        closeQuietly(node.client);
      }
      closeQuietly(direct);
      server.close();
      etcd.close();
    }
  }

  private void run(Duration length, EtcdMonitor monitor) throws Exception {
    long end = System.nanoTime() + length.toNanos();
    long nextFault = System.nanoTime() + seconds(3, 8);
    List<Runnable> heals = new ArrayList<>();
    List<Long> healAt = new ArrayList<>();
    int checked = 0;
    while (System.nanoTime() < end) {
      changeAPod();
      checked = checkTraffic(monitor, checked);
      for (int i = healAt.size() - 1; i >= 0; i--) {
        if (System.nanoTime() > healAt.get(i)) {
          heals.remove(i).run();
          healAt.remove(i);
        }
      }
      if (System.nanoTime() > nextFault && heals.size() < 2) {
        heals.add(injectFault());
        healAt.add(System.nanoTime() + seconds(4, 20));
        nextFault = System.nanoTime() + seconds(3, 12);
      }
      Thread.sleep(50 + random.nextInt(250));
    }
    heals.forEach(Runnable::run);
    checkTraffic(monitor, checked);
  }

  private long seconds(int from, int to) {
    return Duration.ofMillis(1000L * from + random.nextInt(1000 * (to - from))).toNanos();
  }

  /** Creates, changes or deletes one pod, keeping 20 to 40 alive. */
  private void changeAPod() {
    List<String> live =
        pods.entrySet().stream()
            .filter(e -> e.getValue().live)
            .map(Map.Entry::getKey)
            .sorted()
            .toList();
    int roll = random.nextInt(10);
    if (live.size() < 20 || (live.size() < 40 && roll < 4)) {
      String name = "p-" + pods.size();
      String policy = POLICIES.get(random.nextInt(POLICIES.size()));
      Map<String, String> labels =
          Map.of("app", name, "role", random.nextBoolean() ? "frontend" : "backend");
      PodHistory history = new PodHistory(labels, policy);
      history.allowedRules.add(rules(name, history));
      pods.put(name, history);
      direct.resource(TestPods.pod(NAMESPACE, name, labels, policy)).create();
      note("created " + name);
    } else if (roll < 7) {
      String name = live.get(random.nextInt(live.size()));
      PodHistory history = pods.get(name);
      String policy = POLICIES.get(random.nextInt(POLICIES.size()));
      history.policy = policy;
      history.allowedRules.add(rules(name, history));
      Pod pod = direct.pods().inNamespace(NAMESPACE).withName(name).get();
      direct
          .resource(
              new PodBuilder(pod)
                  .editMetadata()
                  .addToAnnotations("projectcalico.org/policy", policy)
                  .endMetadata()
                  .build())
          .update();
      note("changed the policy of " + name);
    } else {
      String name = live.get(random.nextInt(live.size()));
      pods.get(name).live = false; // before the API knows: from now on its profile may go
      direct.pods().inNamespace(NAMESPACE).withName(name).delete();
      note("deleted " + name);
    }
  }

  private String rules(String name, PodHistory history) {
    PodMeta pod =
        new PodMeta(
            NAMESPACE,
            name,
            "any",
            history.labels,
            Map.of("projectcalico.org/policy", history.policy),
            false);
    return ((ProfilePlanner.Write) planner.desire(pod)).profile().rulesJson();
  }

  private Runnable injectFault() throws IOException {
    int kind = random.nextInt(5);
    Node node = nodes.get(random.nextInt(nodes.size()));
    String name = node.replica.sync.leadership().identity();
    switch (kind) {
      case 0, 1 -> {
        FaultProxy.Mode mode = kind == 0 ? FaultProxy.Mode.DROP : FaultProxy.Mode.REFUSE;
        if (!node.fault.isEmpty()) {
          return () -> {};
        }
        node.fault = mode.name();
        node.proxy.mode(mode);
        note(
            "fault: "
                + name
                + "'s API server connections "
                + mode
                + (leads(node) ? " (the leader)" : ""));
        return () -> {
          try {
            node.proxy.mode(FaultProxy.Mode.PASS);
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
          node.fault = "";
          note("healed: " + name + "'s API server connections");
        };
      }
      case 2 -> {
        if (!node.fault.isEmpty()) {
          return () -> {};
        }
        node.fault = "silent";
        node.proxy.silenceWatches(true);
        note("fault: " + name + "'s watch silenced" + (leads(node) ? " (the leader)" : ""));
        return () -> {
          node.proxy.silenceWatches(false);
          node.fault = "";
          note("healed: " + name + "'s watch");
        };
      }
      case 3 -> {
        if (!etcd.running()) {
          return () -> {};
        }
        etcd.crash();
        note("fault: etcd killed with SIGKILL");
        return () -> {
          etcd.start();
          note("healed: etcd started again");
        };
      }
      default -> {
        Node leader = nodes.stream().filter(this::leads).findFirst().orElse(node);
        String old = leader.replica.sync.leadership().identity();
        leader.replica.close();
        note("fault: " + old + " shut down");
        leader.replica = leader.newReplica();
        return () -> {};
      }
    }
  }

  private boolean leads(Node node) {
    return node.replica.leading();
  }

  private void healEverything() throws IOException {
    for (Node node : nodes) {
      node.proxy.mode(FaultProxy.Mode.PASS);
      node.proxy.silenceWatches(false);
      node.fault = "";
    }
    etcd.start();
    note("every fault healed");
  }

  /** Invariant 1 over the changes seen since {@code from}; returns how many were checked. */
  private int checkTraffic(EtcdMonitor monitor, int from) {
    List<EtcdMonitor.Change> changes = monitor.changes();
    for (EtcdMonitor.Change change : changes.subList(from, changes.size())) {
      String prefix = EtcdKeys.PROFILE_PREFIX + NAMESPACE + "_";
      if (!change.key().startsWith(prefix) || !change.key().endsWith("/rules")) {
        continue;
      }
      String name =
          change.key().substring(prefix.length(), change.key().length() - "/rules".length());
      PodHistory history = pods.get(name);
      if (history == null) {
        continue;
      }
      boolean allowed = change.value() != null && history.allowedRules.contains(change.value());
      if (allowed) {
        history.programmed = true;
      } else if (history.live && history.programmed) {
        broken(
            "invariant 1: live pod "
                + name
                + "'s profile was "
                + (change.value() == null ? "deleted" : "set to " + change.value())
                + " at revision "
                + change.revision());
      }
    }
    return changes.size();
  }

  /** Invariant 2: after the faults heal, etcd equals the desired state. */
  private void converge(EtcdKv kv, EtcdMonitor monitor) throws InterruptedException {
    long deadline = System.nanoTime() + RESYNC.plusSeconds(30).toNanos();
    List<String> wrong = List.of("not checked");
    while (System.nanoTime() < deadline) {
      checkTraffic(monitor, 0);
      wrong = differences(kv);
      if (wrong.isEmpty()) {
        note("converged");
        return;
      }
      Thread.sleep(500);
    }
    broken("invariant 2: etcd did not converge after the faults healed: " + wrong);
  }

  private List<String> differences(EtcdKv kv) {
    List<String> wrong = new ArrayList<>();
    Map<String, String> owners = kv.prefix(EtcdKeys.OWNER_PREFIX + NAMESPACE + "_");
    pods.forEach(
        (name, history) -> {
          String id = NAMESPACE + "_" + name;
          if (history.live) {
            String expected = rules(name, history);
            String actual = kv.value(EtcdKeys.rules(id)).orElse("<absent>");
            if (!expected.equals(actual)) {
              wrong.add(name + " has " + actual);
            }
          } else if (owners.containsKey(EtcdKeys.owner(id))) {
            wrong.add(name + " is deleted but its profile stays");
          }
        });
    return wrong;
  }

  /** Invariant 3: every profile change came from the replica whose term was the latest then. */
  private void checkFences(EtcdMonitor monitor, int upTo) {
    String holder = null;
    Set<Long> seen = new HashSet<>();
    for (EtcdMonitor.Change change : monitor.changes().subList(0, upTo)) {
      if (change.key().equals(EtcdKeys.TERM)) {
        holder = change.value().replaceAll(".*\"holder\":\"([^\"]*)\".*", "$1");
        continue;
      }
      boolean profile =
          change.key().startsWith(EtcdKeys.PROFILE_PREFIX)
              || change.key().startsWith(EtcdKeys.OWNER_PREFIX);
      if (!profile || !seen.add(change.revision())) {
        continue;
      }
      String termHolder = holder;
      // A commit whose answer was lost (etcd killed after its write) is in no replica's record;
      // only a replica other than the term's holder that committed it breaks the fence.
      String other =
          everyReplica.entrySet().stream()
              .filter(e -> !e.getKey().equals(termHolder))
              .filter(e -> e.getValue().own.contains(change.revision()))
              .map(Map.Entry::getKey)
              .findFirst()
              .orElse(null);
      if (other != null) {
        String actual = other;
        broken(
            "invariant 3: revision "
                + change.revision()
                + " ("
                + change.key()
                + ") was written by "
                + actual
                + " during the term of "
                + holder);
      }
    }
  }

  private void note(String event) {
    String line = String.format("%8.1fs %s", (System.nanoTime() - started) / 1e9, event);
    synchronized (timeline) {
      timeline.add(line);
    }
  }

  private void broken(String what) {
    note(what);
    String all;
    synchronized (timeline) {
      all = String.join("\n", timeline);
    }
    fail("chaos seed " + seed + " broke " + what + "\ntimeline:\n" + all);
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      if (closeable != null) {
        closeable.close();
      }
    } catch (Exception e) {
      // the run is over
    }
  }
}
