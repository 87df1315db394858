package io.calicowebhook.worker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.calicowebhook.etcd.EtcdAlarms;
import io.calicowebhook.etcd.EtcdErrors;
import io.calicowebhook.etcd.EtcdFailure;
import io.calicowebhook.etcd.EtcdHealthCheck;
import io.calicowebhook.etcd.EtcdKeys;
import io.calicowebhook.etcd.EtcdKv;
import io.calicowebhook.etcd.EtcdProcess;
import io.calicowebhook.etcd.TxnLimits;
import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.profile.DefaultPolicy;
import io.calicowebhook.profile.ProfileBuilder;
import io.calicowebhook.store.OwnRevisions;
import io.calicowebhook.store.ProfileStore;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.CompactOption;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/**
 * etcd's space quota filled and freed under the worker, with etcd watched the whole time: while the
 * NOSPACE alarm stands no programmed profile is emptied or deleted, nothing is reported as too
 * large, every pending pod stays queued, the failures are counted as {@code nospace} and the health
 * check names the alarm; once an operator frees space (delete, compact, defragment, disarm) every
 * profile is what its pod asks for within the worker's longest backoff and a few seconds.
 */
class FullQuotaTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long QUOTA = 4L * 1024 * 1024;
  private static final String POLICY = "projectcalico.org/policy";
  private static final Duration SOON = Duration.ofSeconds(30);
  private static final WorkerSettings DEFAULTS = // the service's defaults
      new WorkerSettings(8, Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofSeconds(10));
  private static final Duration RECOVERY = DEFAULTS.backoffMax().plusSeconds(5);

  private final TxnLimits limits = new TxnLimits(128, 1_400_000);
  private final ProfilePlanner planner =
      new ProfilePlanner(new ProfileBuilder(DefaultPolicy.NS_ISOLATION), limits);
  private final AdmittedPods pods = new AdmittedPods();
  private final MeterRegistry metrics = new SimpleMeterRegistry();
  private final Queue<String> problems = new ConcurrentLinkedQueue<>();
  private final Map<String, PodMeta> current = new ConcurrentHashMap<>();

  @Test
  void keepsEveryProfileThroughAFullQuotaAndCatchesUpOnceFreed() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.startTemporary(List.of("--quota-backend-bytes=" + QUOTA));
        EtcdKv kv = new EtcdKv(etcd.endpoint());
        Client client = Client.builder().endpoints(etcd.endpoint()).waitForReady(false).build()) {
      ProfileWorker worker = worker(client);
      List<PodMeta> steady =
          IntStream.range(0, 6)
              .mapToObj(i -> pod("steady" + i, "allow from cidr 10.0.0." + i))
              .toList();
      worker.start();
      try (Watch watch = new Watch(kv)) {
        steady.forEach(pod -> admit(worker, pod));
        await().atMost(SOON).until(() -> wrong(kv).isEmpty());
        watch.mustStayProgrammed(steady);
        assertEquals(List.of(), watch.violations(), "nothing wrong before the fault");

        fillUntilNospace(kv);
        PodMeta changed = pod("steady0", "allow tcp to ports 8080");
        admit(worker, changed);
        List<PodMeta> fresh =
            IntStream.range(0, 3).mapToObj(i -> pod("new" + i, "allow from label app=db")).toList();
        fresh.forEach(pod -> admit(worker, pod));
        watch.mustNeverBeClosed(fresh);

        await()
            .atMost(SOON)
            .until(
                () ->
                    failures(EtcdFailure.NOSPACE) >= 6
                        || !watch.violations().isEmpty()
                        || !problems.isEmpty());
        assertEquals(List.of(), watch.violations(), "no profile emptied or deleted in the outage");
        assertEquals(List.of(), List.copyOf(problems), "no problem reported in the outage");
        assertEquals(4, worker.pending(), "the changed pod and the new ones stay queued");
        assertEquals(failures(EtcdFailure.NOSPACE), failures(), "every failure read as nospace");
        assertEquals(0.0, skipped("too_large"), "a full quota is no profile's size");
        HealthCheckResponse health =
            EtcdHealthCheck.check(client, etcd.endpoint()).await().atMost(SOON);
        assertEquals(HealthCheckResponse.Status.DOWN, health.getStatus());
        assertEquals("NOSPACE", health.getData().orElseThrow().get("alarms"));

        free(kv, client, etcd.endpoint());
        long freed = System.nanoTime();
        await().atMost(RECOVERY).until(() -> wrong(kv).isEmpty());
        long recovered = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - freed);
        System.out.printf(
            "FullQuotaTest: every profile right %d ms after the quota was freed"
                + " (%.0f nospace failures during the outage)%n",
            recovered, failures(EtcdFailure.NOSPACE));

        assertEquals(List.of(), watch.violations(), "no profile emptied or deleted");
        assertEquals(List.of(), List.copyOf(problems), "no problem reported for any pod");
        assertTrue(watch.reads() > 10, "etcd was watched throughout: " + watch.reads());
        assertEquals(
            HealthCheckResponse.Status.UP,
            EtcdHealthCheck.check(client, etcd.endpoint()).await().atMost(SOON).getStatus());
      } finally {
        worker.close();
      }
    }
  }

  /** Writes junk outside the service's prefixes until etcd answers NOSPACE. */
  private static void fillUntilNospace(EtcdKv kv) {
    String junk = "j".repeat(100 * 1024);
    for (int i = 0; i < 1_000; i++) {
      try {
        kv.put("/junk/" + i, junk);
      } catch (IllegalStateException e) {
        assertEquals(EtcdFailure.NOSPACE, EtcdErrors.classify(e), EtcdErrors.describe(e));
        return;
      }
    }
    throw new AssertionError("etcd never ran out of space");
  }

  /** What an operator does: delete the junk, compact, defragment, disarm the alarm. */
  private static void free(EtcdKv kv, Client client, String endpoint) throws Exception {
    kv.deletePrefix("/junk/");
    long revision =
        client
            .getKVClient()
            .get(ByteSequence.from("/", UTF_8))
            .get(10, TimeUnit.SECONDS)
            .getHeader()
            .getRevision();
    client
        .getKVClient()
        .compact(revision, CompactOption.builder().withCompactPhysical(true).build())
        .get(10, TimeUnit.SECONDS);
    client.getMaintenanceClient().defragmentMember(endpoint).get(30, TimeUnit.SECONDS);
    EtcdAlarms.disarmAll(client);
  }

  /** The pods whose stored rules are not what the planner desires, with what is stored. */
  private Map<String, String> wrong(EtcdKv kv) {
    Map<String, String> stored = kv.prefix(EtcdKeys.PROFILE_PREFIX);
    Map<String, String> wrong = new TreeMap<>();
    current.forEach(
        (id, pod) -> {
          String desired = ((ProfilePlanner.Write) planner.desire(pod)).profile().rulesJson();
          String actual = stored.getOrDefault(EtcdKeys.rules(id), "(absent)");
          if (!desired.equals(actual)) {
            wrong.put(id, actual);
          }
        });
    return wrong;
  }

  private void admit(ProfileWorker worker, PodMeta pod) {
    pods.record(pod);
    current.put(Watch.id(pod), pod);
    worker.submit(pod.key());
  }

  private ProfileWorker worker(Client client) {
    ProfileStore store =
        new ProfileStore(
            client.getKVClient(), limits, Duration.ofSeconds(5), metrics, new OwnRevisions());
    return new ProfileWorker(
        pods,
        planner,
        store,
        new ProblemReports(
            (pod, problem) -> {
              problems.add(pod.name() + ": " + problem.message());
              return java.util.concurrent.CompletableFuture.completedFuture(null);
            }),
        DEFAULTS,
        metrics);
  }

  private double failures(EtcdFailure reason) {
    return metrics.counter("calico.etcd.failures", "reason", reason.tag()).count();
  }

  private double failures() {
    return metrics.find("calico.etcd.failures").counters().stream()
        .mapToDouble(Counter::count)
        .sum();
  }

  private double skipped(String reason) {
    return metrics.counter("calico.profiles.skipped", "reason", reason).count();
  }

  private static PodMeta pod(String name, String policy) {
    return new PodMeta(
        "q", name, "uid-" + name, Map.of("app", name), Map.of(POLICY, policy), false);
  }

  /**
   * Reads etcd in a background thread until closed and records every profile that is fail-closed
   * ({@code inbound_rules: []}), or absent once it was programmed, for a pod whose policy is valid.
   */
  private static final class Watch implements AutoCloseable {
    private static final int MAX_VIOLATIONS = 20;
    private final EtcdKv kv;
    private final Map<String, Boolean> watched = new ConcurrentHashMap<>();
    private final Queue<String> violations = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile int reads;

    Watch(EtcdKv kv) {
      this.kv = kv;
      this.thread = new Thread(this::run, "quota-watch");
      thread.setDaemon(true);
      thread.start();
    }

    /** {@code pods} must keep a profile from now on. */
    void mustStayProgrammed(List<PodMeta> pods) {
      pods.forEach(pod -> watched.put(id(pod), true));
    }

    /** {@code pods} may have no profile yet, but never a fail-closed one. */
    void mustNeverBeClosed(List<PodMeta> pods) {
      pods.forEach(pod -> watched.putIfAbsent(id(pod), false));
    }

    int reads() {
      return reads;
    }

    List<String> violations() {
      return List.copyOf(violations);
    }

    private void run() {
      while (running.get()) {
        try {
          check(kv.prefix(EtcdKeys.PROFILE_PREFIX));
          reads++;
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          // a read that failed proves nothing either way; the next one looks again
        }
      }
    }

    private void check(Map<String, String> stored) {
      watched.forEach(
          (id, mustExist) -> {
            String rules = stored.get(EtcdKeys.rules(id));
            if (rules == null) {
              if (mustExist) {
                violate(id + ": profile absent");
              }
            } else if (closed(rules)) {
              violate(id + ": fail-closed " + rules);
            }
          });
    }

    private static boolean closed(String rules) {
      try {
        JsonNode inbound = JSON.readTree(rules).path("inbound_rules");
        return inbound.isArray() && inbound.isEmpty();
      } catch (java.io.IOException e) {
        return true;
      }
    }

    private void violate(String what) {
      if (violations.size() < MAX_VIOLATIONS) {
        violations.add(what);
      }
    }

    private static String id(PodMeta pod) {
      return pod.namespace() + "_" + pod.name();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.interrupt();
      thread.join(5_000);
    }
  }
}
