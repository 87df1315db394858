import io.calicowebhook.config.CalicoConfig;
import io.calicowebhook.etcd.EtcdClients;
import io.calicowebhook.etcd.EtcdKeys;
import io.calicowebhook.etcd.EtcdProcess;
import io.calicowebhook.store.OwnRevisions;
import io.calicowebhook.store.ProfileStore;
import io.calicowebhook.profile.Escaping;
import io.calicowebhook.pod.PodKey;
import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.pod.PolicyAnnotations;
import io.calicowebhook.profile.ProfileBuilder;
import io.calicowebhook.worker.AdmittedPods;
import io.calicowebhook.reconciler.ClusterMode;
import io.calicowebhook.worker.ProfilePlanner;
import io.calicowebhook.reconciler.PodCache;
import io.calicowebhook.worker.PodState;
import io.calicowebhook.worker.ProblemReports;
import io.calicowebhook.worker.ProfileWorker;
import io.calicowebhook.reconciler.Resync;
import io.calicowebhook.sync.SyncSettings;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import javax.management.ObjectName;

/**
 * The reconciler against a fabric8 KubernetesMockServer in CRUD mode (the server the Quarkus
 * Kubernetes test server wraps) and private etcd processes, with pods of realistic size (about 6
 * KiB of JSON each, with managedFields and a last-applied-configuration annotation), in one run:
 *
 * <ol>
 *   <li>baseline: the worker alone (ProfileWorker over AdmittedPods, every pod queued at once,
 *       timed until drained) into an empty etcd, as bench/profile-throughput measures it;
 *   <li>the first full programming by a ClusterMode (one replica) into another empty etcd: start to
 *       the informer's first sync, and on to every ownership record in etcd;
 *   <li>a resync with nothing changed: its duration, and that it queued and wrote nothing;
 *   <li>label changes of a share of the pods through the API: time until etcd converges;
 *   <li>heap held per cached pod (class histograms after full GCs), and per pod of a plain informer
 *       that keeps whole Pods, for comparison.
 * </ol>
 *
 * <p>Run with {@code make bench-reconciler} (see bench/reconciler/README.md). Arguments: pods
 * (20000), pods whose labels change (2000).
 */
public class ReconcilerBench {
  private static final Duration LONG = Duration.ofMinutes(10);

  /**
   * Rounds of the worker alone and the first programming, one right after the other, after one
   * that warms both up: one round's ratio moves by a tenth with what else the two cores do.
   */
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
  private static final String CHANGED_LABEL = "track";
  private static final String CHANGED_VALUE = "canary";
  private static final List<Row> ROWS = new ArrayList<>();

  /** The mock server logs every request at INFO; kept here so that the level stays set. */
  private static final java.util.logging.Logger MOCK_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  /** One line of the result table. */
  record Row(
      String figure, String value, String baseline, String ratio, String target, String met) {}

  public static void main(String[] args) {
    // Logging at INFO, as the service runs (Quarkus's default). Unconfigured, jboss-logmanager
    // lets TRACE through, and fabric8 then puts its HTTP logging interceptor on every client,
    // which decodes and copies up to 2 MiB of every response body: half of a list page's cost.
    org.jboss.logmanager.LogContext.getLogContext()
        .getLogger("")
        .setLevel(java.util.logging.Level.INFO);
    int status = 0;
    try {
      run(
          args.length > 0 ? Integer.parseInt(args[0]) : 20_000,
          args.length > 1 ? Integer.parseInt(args[1]) : 2_000);
    } catch (Exception | AssertionError e) {
      e.printStackTrace();
      status = 2;
    }
    printTable();
    System.exit(status); // the mock server's vert.x threads would keep the JVM alive
  }

  static void run(int podCount, int changeCount) throws Exception {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    System.out.println(machine());
    boolean stockWatches = Boolean.getBoolean("bench.stockWatches");
    System.out.println(
        stockWatches
            ? "mock API: stock CRUD dispatcher (a new watch first replays every stored pod)"
            : "mock API: CRUD dispatcher with API-server-like watches, lookups by name and "
                + (ApiServerLikeCrud.PAGED ? "paged lists" : "lists in one page"));
    try (MockApi api = MockApi.start(stockWatches)) {
      long seedStart = System.nanoTime();
      Seeded seeded = api.seed(podCount);
      System.out.printf(
          "seeded %,d pods in %.1f s (built in parallel, then %.1f s to store them in the mock's"
              + " CRUD store); JSON %,d bytes per pod on average, %,d to %,d; %d%% with a policy"
              + " annotation; not measured%n",
          podCount,
          seconds(seedStart),
          seeded.storeSeconds(),
          seeded.totalBytes() / podCount,
          seeded.minBytes(),
          seeded.maxBytes(),
          100 * seeded.withPolicy() / podCount);
      warmUpInformer(api.client(), podCount);
      Service kept = null;
      EtcdProcess keptEtcd = null;
      try {
        List<Round> rounds = new ArrayList<>();
        for (int r = 0; r <= ROUNDS; r++) {
          // Round 0 warms both up and is not counted: in a first run of 20,000 the worker wrote
          // 3,000 profiles/s, and 9,000/s two rounds later. Baseline and reconciler then take
          // turns at going first, so that a drift in the machine's load falls on both alike.
          boolean baselineFirst = r % 2 == 1;
          Baseline worker = baselineFirst ? baseline(seeded.pods()) : null;
          EtcdProcess etcd = EtcdProcess.startTemporary();
          Service service = new Service(api.client(), etcd.endpoint());
          Programming programming = firstProgramming(service, podCount);
          if (!baselineFirst) {
            worker = baseline(seeded.pods());
          }
          Round round = new Round(worker, programming);
          if (r > 0) {
            rounds.add(round);
          }
          System.out.printf(
              "%s: the worker alone %s, first programming %.2f s = %s: %.2f of it%n",
              r == 0 ? "warm-up round, not counted" : "round " + r + " of " + ROUNDS,
              rate(worker.rate()),
              programming.total(),
              rate(round.rate()),
              round.ratio());
          if (r < ROUNDS) {
            service.close();
            etcd.close();
          } else {
            kept = service;
            keptEtcd = etcd;
          }
        }
        firstProgrammingRows(rounds);
        unchangedResync(kept);
        labelChanges(api.client(), kept, seeded.pods(), changeCount);
      } finally {
        if (kept != null) {
          kept.close();
        }
        if (keptEtcd != null) {
          keptEtcd.close();
        }
      }
      heap(api, podCount);
    }
  }

  // ---------------------------------------------------------------- the phases

  /** The worker's own throughput, and the CPU it took with its etcd. */
  record Baseline(double rate, Cpu cpu) {}

  /** The worker's own throughput: every pod's PodMeta queued at once, timed until drained. */
  static Baseline baseline(List<PodMeta> pods) throws Exception {
    try (EtcdProcess etcd = EtcdProcess.startTemporary()) {
      Wiring wiring = new Wiring(etcd.endpoint());
      try (Client client = wiring.client()) {
        ProfileStore store = wiring.store(client, new SimpleMeterRegistry(), new OwnRevisions());
        ProfilePlanner desired = wiring.desired(store);
        List<PodMeta> warmup =
            pods.subList(0, Math.min(2_000, pods.size())).stream()
                .map(p -> renamed(p, "warmup"))
                .toList();
        drainWorker(wiring, store, desired, warmup);
        CpuClock clock = CpuClock.start();
        drainWorker(wiring, store, desired, pods);
        Cpu cpu = clock.since();
        double rate = pods.size() / cpu.wall();
        long owners = count(client.getKVClient(), EtcdKeys.OWNER_PREFIX);
        require(owners == pods.size() + warmup.size(), "baseline etcd holds " + owners + " owners");
        System.out.printf(
            "baseline: the worker alone wrote %,d profiles in %.2f s (%,.0f/s) after a warm-up of"
                + " %,d; %s%n",
            pods.size(), pods.size() / rate, rate, warmup.size(), cpu.text());
        return new Baseline(rate, cpu);
      }
    }
  }

  private static void drainWorker(
      Wiring wiring, ProfileStore store, ProfilePlanner desired, List<PodMeta> pods) {
    AdmittedPods admitted = new AdmittedPods();
    ProfileWorker worker =
        new ProfileWorker(
            admitted,
            desired,
            store,
            ProblemReports.logOnly(),
            wiring.settings().worker(),
            new SimpleMeterRegistry());
    worker.start();
    for (PodMeta pod : pods) {
      admitted.record(pod);
      worker.submit(pod.key());
    }
    require(worker.drain(LONG), "the worker did not drain");
    worker.close();
  }

  /**
   * Lists every pod once with a PodCache and drops it, so that the reconciler's list and parse path
   * is as warm as the worker's code is after the baseline's warm-up.
   */
  static void warmUpInformer(KubernetesClient client, int podCount) throws Exception {
    long start = System.nanoTime();
    PodCache cache = new PodCache(client, 500, java.time.Duration.ofMinutes(3));
    cache.start().toCompletableFuture().get(LONG.toSeconds(), TimeUnit.SECONDS);
    require(cache.size() == podCount, "the warm-up cache holds " + cache.size() + " pods");
    cache.close();
    System.out.printf(
        "warm-up: a PodCache listed the %,d pods in %.2f s%n", podCount, seconds(start));
  }

  /**
   * Start to every ownership record in etcd, split at the informer's first sync; then waits for the
   * replica's first resync, which follows the first programming, so that it does not run into the
   * next phase (a baseline measured beside it would be slowed by it).
   */
  static Programming firstProgramming(Service service, int podCount) throws Exception {
    revision(service.client().getKVClient()); // connected, as the baseline's client is
    long start = System.nanoTime();
    CpuClock clock = CpuClock.start();
    service.sync().start();
    Milestones seen = new Milestones(service, podCount);
    long done = awaitAt(seen::allInEtcd, Duration.ofMillis(20));
    Cpu cpu = clock.since();
    long owners = count(service.client().getKVClient(), EtcdKeys.OWNER_PREFIX);
    require(owners == podCount, "etcd holds " + owners + " ownership records, not " + podCount);
    awaitAt(() -> service.sync().worker().pending() == 0, Duration.ofMillis(20));
    awaitAt(() -> service.sync().reconciler().resyncCount() > 0, Duration.ofMillis(20));
    Programming programming =
        new Programming(podCount, (done - start) / 1e9, (seen.synced - start) / 1e9, cpu);
    System.out.printf(
        "first programming: leader after %.2f s, informer synced after %.2f s, all %,d profiles"
            + " in etcd after %.2f s (%.2f s after the sync); %s; then the first resync: %s%n",
        (seen.leading - start) / 1e9,
        programming.toSync(),
        podCount,
        programming.total(),
        programming.afterSync(),
        cpu.text(),
        service.sync().reconciler().lastResync().map(Resync.Report::line).orElseThrow());
    return programming;
  }

  /**
   * One first programming: seconds from start to all in etcd and to the informer's sync, and the
   * CPU it took.
   */
  record Programming(int pods, double total, double toSync, Cpu cpu) {
    double afterSync() {
      return total - toSync;
    }
  }

  /** One round: the worker alone and a first programming, measured one right after the other. */
  record Round(Baseline worker, Programming programming) {
    double rate() {
      return programming.pods() / programming.total();
    }

    double ratio() {
      return rate() / worker.rate();
    }
  }

  /** CPU time between two moments: this JVM's and the child processes' (the etcds). */
  record Cpu(double wall, double jvm, double etcd) {
    double total() {
      return jvm + etcd;
    }

    String text() {
      return String.format(
          "%.2f CPU-s (JVM %.2f, etcd %.2f) in %.2f s, %.2f cores busy",
          total(), jvm, etcd, wall, total() / wall);
    }
  }

  /**
   * Where a {@link Cpu} measurement starts. The JVM's figure covers the service's code and the mock
   * API server alike (they share the process); the children's covers every etcd this JVM started,
   * so a phase is measured while its etcd still runs and no other one is busy.
   */
  record CpuClock(long wall, long jvm, long children) {
    static CpuClock start() {
      return new CpuClock(System.nanoTime(), jvmCpuNanos(), childrenCpuNanos());
    }

    Cpu since() {
      return new Cpu(
          (System.nanoTime() - wall) / 1e9,
          (jvmCpuNanos() - jvm) / 1e9,
          (childrenCpuNanos() - children) / 1e9);
    }

    private static long jvmCpuNanos() {
      return ((com.sun.management.OperatingSystemMXBean)
              ManagementFactory.getOperatingSystemMXBean())
          .getProcessCpuTime();
    }

    private static long childrenCpuNanos() {
      return ProcessHandle.current()
          .descendants()
          .mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L))
          .sum();
    }
  }

  /** The round with the median ratio, and every round's ratio beside it. */
  static void firstProgrammingRows(List<Round> rounds) {
    List<Round> sorted =
        rounds.stream().sorted(java.util.Comparator.comparingDouble(Round::ratio)).toList();
    Round median = sorted.get(sorted.size() / 2);
    String all =
        rounds.stream()
            .map(r -> String.format("%.2f", r.ratio()))
            .collect(java.util.stream.Collectors.joining(", "));
    Programming p = median.programming();
    row("worker alone (baseline), median round", rate(median.worker().rate()), "", "", "", "");
    row(
        "first programming, start to all in etcd (median of " + rounds.size() + " rounds)",
        String.format("%.2f s = %s", p.total(), rate(median.rate())),
        rate(median.worker().rate()),
        ratio(median.ratio()) + " (" + all + ")",
        ">= 0.8",
        met(median.ratio() >= 0.8));
    row(
        "  of which: start to informer synced (the listing)",
        String.format("%.2f s", p.toSync()),
        "",
        "",
        "",
        "");
    double after = p.afterSync();
    row(
        "  of which: synced to all in etcd",
        after < 0.5 // the last page or two: a rate over them would mean nothing
            ? String.format("%.2f s", after)
            : String.format("%.2f s = %s", after, rate(p.pods() / after)),
        "",
        "",
        "",
        "");
    // With both cores busy in both phases, the time ratio follows the ratio of CPU time: the
    // first programming does the worker's work and the listing's on the same two cores.
    Cpu worker = median.worker().cpu();
    row(
        "  CPU: first programming, against the worker alone",
        p.cpu().text(),
        worker.text(),
        ratio(worker.total() / p.cpu().total()),
        "",
        "");
  }

  /**
   * When the replica first led, when its informer first synced, and when its worker had written
   * every pod's profile (each seen within 20 ms from the worker's counters, which move once etcd
   * has answered; asking etcd to count 20,000 keys every few ms would load the etcd measured).
   */
  static final class Milestones {
    private final Service service;
    private final int podCount;
    long leading;
    long synced;

    Milestones(Service service, int podCount) {
      this.service = service;
      this.podCount = podCount;
    }

    boolean allInEtcd() {
      long now = System.nanoTime();
      if (leading == 0 && service.sync().leadership().leading()) {
        leading = now;
      }
      if (synced == 0 && service.sync().pods().synced()) {
        synced = now;
      }
      return synced != 0 && service.writes() >= podCount;
    }
  }

  /** A resync with nothing changed: its duration, and that it queued and wrote nothing. */
  static void unchangedResync(Service service) throws Exception {
    KV kv = service.client().getKVClient();
    long revision = revision(kv);
    double writes = service.writes();
    long resyncs = service.sync().reconciler().resyncCount();
    long start = System.nanoTime();
    service.sync().reconciler().resyncSoon();
    long done =
        awaitAt(() -> service.sync().reconciler().resyncCount() > resyncs, Duration.ofMillis(5));
    Resync.Report report = service.sync().reconciler().lastResync().orElseThrow();
    int queued = report.created() + report.updated() + report.deleted();
    awaitAt(() -> service.sync().worker().pending() == 0, Duration.ofMillis(20));
    Thread.sleep(1_000); // anything queued would be written by now
    long revisionAfter = revision(kv);
    double wrote = service.writes() - writes;
    System.out.printf(
        "unchanged resync: %s; %.2f s from resyncSoon() to done; etcd revision %d before, %d"
            + " after; profiles written meanwhile: %.0f%n",
        report.line(), (done - start) / 1e9, revision, revisionAfter, wrote);
    double took = report.took().toMillis() / 1000.0;
    row(
        "resync, nothing changed: duration",
        String.format("%.2f s (%,d pods)", took, report.pods()),
        "",
        "",
        "< 5 s",
        met(took < 5));
    boolean quiet = queued == 0 && wrote == 0 && revision == revisionAfter;
    row(
        "resync, nothing changed: queued / written",
        String.format(
            "%d / %.0f, revision %s", queued, wrote, revision == revisionAfter ? "same" : "moved"),
        "",
        "",
        "0 / 0, same",
        met(quiet));
  }

  /**
   * Changes one label of {@code count} pods through the API (JSON merge patches, 8 at a time) and
   * times etcd's convergence: overall, and per pod from its patch's answer to its new tags in etcd.
   */
  static void labelChanges(
      KubernetesClient kubernetes, Service service, List<PodMeta> pods, int count)
      throws Exception {
    int step = Math.max(1, pods.size() / count);
    List<PodMeta> targets = IntStream.range(0, count).mapToObj(i -> pods.get(i * step)).toList();
    Convergence convergence = new Convergence(targets);
    double writes = service.writes();
    try (Watch.Watcher watcher = convergence.watch(service.client())) {
      long start = System.nanoTime();
      patchAll(kubernetes, targets, convergence.patched);
      long sent = System.nanoTime();
      require(convergence.done.await(LONG.toSeconds(), TimeUnit.SECONDS), "etcd did not converge");
      long done = System.nanoTime();
      awaitAt(() -> service.sync().worker().pending() == 0, Duration.ofMillis(20));
      double wrote = service.writes() - writes;
      long[] lags = convergence.lagsMillis();
      System.out.printf(
          "label change: %,d pods patched through the API in %.2f s; etcd converged %.2f s after"
              + " the first patch, %.2f s after the last; per pod, patch answered to etcd: median"
              + " %d ms, 99th percentile %d ms, max %d ms; profiles written: %.0f%n",
          count,
          (sent - start) / 1e9,
          (done - start) / 1e9,
          (done - sent) / 1e9,
          lags[lags.length / 2],
          lags[lags.length * 99 / 100],
          lags[lags.length - 1],
          wrote);
      row(
          String.format("%,d label changes: first patch to converged", count),
          String.format("%.2f s", (done - start) / 1e9),
          "",
          "",
          "converges",
          met(true));
      row(
          "  of which: patching through the mock API",
          String.format("%.2f s", (sent - start) / 1e9),
          "",
          "",
          "",
          "");
      row(
          "  of which: last patch to converged",
          String.format("%.2f s", (done - sent) / 1e9),
          "",
          "",
          "",
          "");
      row(
          "  per pod, patch answered to etcd (p50/p99/max)",
          String.format(
              "%d / %d / %d ms",
              lags[lags.length / 2], lags[lags.length * 99 / 100], lags[lags.length - 1]),
          "",
          "",
          "",
          "");
      row(
          "  profiles written for them",
          String.format("%.0f", wrote),
          "",
          "",
          String.valueOf(count),
          met(wrote == count));
    }
  }

  /** When each changed pod's patch was answered, and when etcd held its new tag. */
  static final class Convergence {
    final Map<String, Long> patched = new ConcurrentHashMap<>();
    final Map<String, Long> converged = new ConcurrentHashMap<>();
    final CountDownLatch done = new CountDownLatch(1);
    private final Map<String, String> expectedTag = new ConcurrentHashMap<>();

    Convergence(List<PodMeta> targets) {
      for (PodMeta pod : targets) {
        expectedTag.put(
            Escaping.profileId(pod.namespace(), pod.name()),
            "\"" + Escaping.labelTag(pod.namespace(), CHANGED_LABEL, CHANGED_VALUE) + "\"");
      }
    }

    /** Watches every profile's tags key for the new tag. */
    Watch.Watcher watch(Client client) {
      ByteSequence prefix = bytes(EtcdKeys.PROFILE_PREFIX);
      return client
          .getWatchClient()
          .watch(
              prefix,
              WatchOption.builder().isPrefix(true).build(),
              response -> response.getEvents().forEach(event -> seen(prefix.size(), event)));
    }

    private void seen(int prefixLength, WatchEvent event) {
      String key = event.getKeyValue().getKey().toString(StandardCharsets.UTF_8);
      if (event.getEventType() != WatchEvent.EventType.PUT || !key.endsWith("/tags")) {
        return;
      }
      String id = key.substring(prefixLength, key.length() - "/tags".length());
      String tag = expectedTag.get(id);
      if (tag != null
          && event.getKeyValue().getValue().toString(StandardCharsets.UTF_8).contains(tag)
          && expectedTag.remove(id) != null) {
        converged.put(id, System.nanoTime());
        if (expectedTag.isEmpty()) {
          done.countDown();
        }
      }
    }

    /** Per pod, milliseconds from its patch's answer to its tag in etcd (0 if etcd was first). */
    long[] lagsMillis() {
      return converged.entrySet().stream()
          .mapToLong(e -> Math.max(0, e.getValue() - patched.get(e.getKey())) / 1_000_000)
          .sorted()
          .toArray();
    }
  }

  private static void patchAll(
      KubernetesClient kubernetes, List<PodMeta> targets, Map<String, Long> patched)
      throws Exception {
    String patch =
        "{\"metadata\":{\"labels\":{\"" + CHANGED_LABEL + "\":\"" + CHANGED_VALUE + "\"}}}";
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<CompletableFuture<Void>> sent = new ArrayList<>();
      for (PodMeta pod : targets) {
        sent.add(
            CompletableFuture.runAsync(
                () -> {
                  kubernetes
                      .pods()
                      .inNamespace(pod.namespace())
                      .withName(pod.name())
                      .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
                  patched.put(Escaping.profileId(pod.namespace(), pod.name()), System.nanoTime());
                },
                pool));
      }
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get();
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Live heap held by a filled PodCache, and by a plain informer keeping whole Pods: class
   * histograms (each after a full GC) with and without it, divided by the pods.
   */
  static void heap(MockApi api, int podCount) throws Exception {
    api.createSentinel();
    Histogram before = Histogram.stable();
    long start = System.nanoTime();
    CpuClock clock = CpuClock.start();
    PodCache cache = new PodCache(api.client(), 500, java.time.Duration.ofMinutes(3));
    cache.start().toCompletableFuture().get(LONG.toSeconds(), TimeUnit.SECONDS);
    long synced = System.nanoTime();
    Cpu listing = clock.since();
    api.awaitWatchCaughtUp(
        key -> cache.state(key) instanceof PodState.Present p ? p.pod().labels() : null);
    System.out.printf(
        "a PodCache alone on the mock API: synced %.2f s after start (%s); the mock's replay of"
            + " every pod on the new watch took %.2f s more%n",
        (synced - start) / 1e9, listing.text(), seconds(synced));
    row(
        "the listing alone, warm: a PodCache on the mock API, nothing written",
        String.format("%.2f s; %s", (synced - start) / 1e9, listing.text()),
        "",
        "",
        "",
        "");
    Histogram slim = Histogram.stable().minus(before);
    require(
        cache.size() == podCount + 1, "the cache holds " + cache.size() + " pods"); // + sentinel
    cache.close();

    Histogram beforeFull = Histogram.stable();
    SharedIndexInformer<Pod> informer =
        api.client().pods().inAnyNamespace().withLimit(500L).runnableInformer(0);
    informer.start().toCompletableFuture().get(LONG.toSeconds(), TimeUnit.SECONDS);
    api.awaitWatchCaughtUp(
        key -> {
          Pod pod = informer.getStore().getByKey(key.namespace() + "/" + key.name());
          return pod == null ? null : pod.getMetadata().getLabels();
        });
    Histogram full = Histogram.stable().minus(beforeFull);
    informer.stop();

    long slimPerPod = slim.total() / podCount;
    long fullPerPod = full.total() / podCount;
    System.out.printf(
        "heap per cached pod: PodCache %,d bytes, plain informer with whole Pods %,d bytes%n"
            + "  PodCache, largest class deltas: %s%n  whole Pods, largest class deltas: %s%n",
        slimPerPod, fullPerPod, slim.top(8, podCount), full.top(5, podCount));
    row(
        "heap held per cached pod",
        String.format("%,d B", slimPerPod),
        String.format("%,d B (whole Pods)", fullPerPod),
        ratio((double) slimPerPod / fullPerPod),
        "< 2 KiB",
        met(slimPerPod < 2048));
  }

  // ---------------------------------------------------------------- the service's wiring

  /** Settings and objects built as the service builds them (ModeSwitch), for one etcd. */
  record Wiring(String endpoint, CalicoConfig config, SyncSettings settings) {
    Wiring(String endpoint) {
      this(endpoint, config(endpoint));
    }

    private Wiring(String endpoint, CalicoConfig config) {
      this(endpoint, config, SyncSettings.check(config, property -> false));
    }

    private static CalicoConfig config(String endpoint) {
      Map<String, String> properties = new HashMap<>();
      properties.put("calico.etcd.endpoints", endpoint);
      // Everything else at the service's defaults, the Lease's timings included: the mock server
      // scans every stored pod for each Lease request, so a short retry period would load it.
      properties.put("calico.reconciler.resync-period", "1h"); // the bench triggers its resync
      // Any service setting can be tried from the command line: -Dcalico.reconciler.list-page-size=2000
      for (String name : System.getProperties().stringPropertyNames()) {
        if (name.startsWith("calico.")) {
          properties.put(name, System.getProperty(name));
        }
      }
      return new SmallRyeConfigBuilder()
          .withMapping(CalicoConfig.class)
          .withConverter(Duration.class, 100, new DurationConverter())
          .withSources(new PropertiesConfigSource(properties, "bench", 500))
          .build()
          .getConfigMapping(CalicoConfig.class);
    }

    Client client() {
      return EtcdClients.build(settings.etcd(), List.of(URI.create(endpoint)));
    }

    ProfileStore store(Client client, MeterRegistry metrics, OwnRevisions own) {
      return new ProfileStore(
          client.getKVClient(),
          settings.etcd().limits(),
          settings.etcd().requestTimeout(),
          metrics,
          own);
    }

    ProfilePlanner desired(ProfileStore store) {
      return new ProfilePlanner(new ProfileBuilder(config.defaultPolicy()), store.limits());
    }
  }

  /** One replica of the service's cluster machinery on the mock API and one etcd. */
  static final class Service implements AutoCloseable {
    private final Client client;
    private final MeterRegistry metrics = new SimpleMeterRegistry();
    private final ClusterMode sync;

    Service(KubernetesClient kubernetes, String endpoint) {
      Wiring wiring = new Wiring(endpoint);
      this.client = wiring.client();
      OwnRevisions own = new OwnRevisions();
      ProfileStore store = wiring.store(client, metrics, own);
      this.sync =
          new ClusterMode(
              kubernetes,
              wiring.settings().etcd(),
              wiring.settings().worker(),
              wiring.settings().reconciler(),
              new ClusterMode.Identity("calico-policy-webhook", "bench"),
              wiring.desired(store),
              store,
              client,
              own,
              metrics);
    }

    ClusterMode sync() {
      return sync;
    }

    Client client() {
      return client;
    }

    /** Profiles the worker created, updated or deleted so far. */
    double writes() {
      return metrics.counter("calico.profiles.written", "result", "created").count()
          + metrics.counter("calico.profiles.written", "result", "updated").count()
          + metrics.counter("calico.profiles.deleted").count();
    }

    @Override
    public void close() {
      sync.close();
      client.close();
    }
  }

  // ---------------------------------------------------------------- the Kubernetes API

  /** What was seeded: each pod as the service sees it, and the JSON sizes. */
  record Seeded(
      List<PodMeta> pods,
      long totalBytes,
      int minBytes,
      int maxBytes,
      int withPolicy,
      double storeSeconds) {}

  /**
   * A KubernetesMockServer whose dispatcher is a KubernetesCrudDispatcher (the CRUD half of the
   * KubernetesMixedDispatcher behind {@code @WithKubernetesTestServer(crud = true)}), kept at hand
   * so that the pods can be put into its store directly, as its POST handler would.
   */
  record MockApi(
      KubernetesMockServer server, KubernetesCrudDispatcher crud, KubernetesClient client)
      implements AutoCloseable {
    static final PodKey SENTINEL = new PodKey("team-00", "bench-sentinel");

    @SuppressWarnings("deprecation") // the mapper KubernetesMockServerExtension gives it
    static MockApi start(boolean stockWatches) {
      KubernetesCrudDispatcher crud =
          stockWatches ? new KubernetesCrudDispatcher() : new ApiServerLikeCrud();
      KubernetesMockServer server =
          new KubernetesMockServer(
              new Context(Serialization.jsonMapper()),
              new MockWebServer(),
              new HashMap<>(),
              crud,
              false);
      server.init();
      return new MockApi(server, crud, server.createClient());
    }

    /**
     * Builds {@code count} pods in parallel and stores them as the CRUD dispatcher's POST handler
     * does: a fresh resourceVersion each, watchers notified.
     */
    Seeded seed(int count) {
      PodFactory factory = new PodFactory();
      long total = 0;
      List<Built> built =
          IntStream.range(0, count)
              .parallel()
              .mapToObj(i -> Built.of(factory.json(i, crud.requestResourceVersion())))
              .toList();
      long stored = System.nanoTime();
      int min = Integer.MAX_VALUE;
      int max = 0;
      int withPolicy = 0;
      for (Built pod : built) {
        store(pod);
        withPolicy += pod.meta().annotations().isEmpty() ? 0 : 1;
        total += pod.bytes();
        min = Math.min(min, pod.bytes());
        max = Math.max(max, pod.bytes());
      }
      List<PodMeta> pods = built.stream().map(Built::meta).toList();
      return new Seeded(pods, total, min, max, withPolicy, seconds(stored));
    }

    /** What PostHandler does with a new pod, minus the linear search for a duplicate name. */
    private void store(Built pod) {
      String path = "/api/v1/namespaces/" + pod.meta().namespace() + "/pods";
      AttributeSet key =
          crud.getKey(path)
              .add(new Attribute(KubernetesAttributesExtractor.NAME, pod.meta().name()));
      crud.processEvent(path, key, null, pod.resource(), pod.json());
    }

    /**
     * Waits until a watch that just started has caught up: patches the sentinel pod and waits until
     * {@code labels} of it shows the patch. (With the stock watches the mock first sends every
     * stored pod again as ADDED, from one thread per watch; the patch comes after those.)
     */
    /** Creates the small pod that {@link #awaitWatchCaughtUp} patches. */
    void createSentinel() {
      client.resource(Serialization.unmarshal(new PodFactory().sentinel(), Pod.class)).create();
    }

    void awaitWatchCaughtUp(java.util.function.Function<PodKey, Map<String, String>> labels)
        throws Exception {
      String mark = UUID.randomUUID().toString();
      client
          .pods()
          .inNamespace(SENTINEL.namespace())
          .withName(SENTINEL.name())
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              "{\"metadata\":{\"labels\":{\"mark\":\"" + mark + "\"}}}");
      awaitAt(
          () -> {
            Map<String, String> seen = labels.apply(SENTINEL);
            return seen != null && mark.equals(seen.get("mark"));
          },
          Duration.ofMillis(20));
    }

    @Override
    public void close() {
      client.close();
      server.destroy();
    }
  }

  /** One generated pod: as the API server stores it, and as the service sees it. */
  record Built(GenericKubernetesResource resource, String json, PodMeta meta, int bytes) {
    static Built of(String json) {
      GenericKubernetesResource resource =
          Serialization.unmarshal(json, GenericKubernetesResource.class);
      return new Built(
          resource,
          json,
          ReconcilerBench.meta(resource),
          json.getBytes(StandardCharsets.UTF_8).length);
    }
  }

  /**
   * The stock KubernetesCrudDispatcher with three differences, all to behave as the API server does
   * where the stock one would make the measurement one of the mock:
   *
   * <ul>
   *   <li>a list answers {@code limit} and {@code continue} in pages, from a snapshot taken by its
   *       first page. The stock one answers every pod in one response, so the informer (which asks
   *       for pages of 500) had nothing to program until all 127 MB were in;
   *   <li>a new watch sends only what changes after it opened. The stock one first sends every
   *       stored object that matches as ADDED, whatever resourceVersion the watch names, while its
   *       store's read lock is held: with 20,000 pods of 6.6 KiB that took 14 s on the 2-core
   *       machine, blocked every write (Lease renewals included, so the replica lost the lead
   *       mid-run), took CPU from the worker, and queued every later event behind it;
   *   <li>one object is found by namespace and name in an index instead of by scanning the whole
   *       store (a client's PATCH is a GET and a PATCH, and each scanned all 20,000 pods: 34 ms a
   *       patch, and every Lease renewal did the same).
   * </ul>
   *
   * Writes, resourceVersions and everything else are the stock dispatcher's.
   */
  static final class ApiServerLikeCrud extends KubernetesCrudDispatcher {
    /** Lists answer {@code limit} in pages; {@code -Dbench.onePageLists=true}: in one, stock. */
    static final boolean PAGED = !Boolean.getBoolean("bench.onePageLists");

    private final Set<Watcher> watchers = ConcurrentHashMap.newKeySet();
    private final Map<String, AttributeSet> byName = new ConcurrentHashMap<>();
    private final Map<String, Listing> listings = new ConcurrentHashMap<>();

    /** A list request's snapshot, which its later pages are served from. */
    record Listing(List<String> items, long version) {}

    @Override
    public io.fabric8.mockwebserver.http.MockResponse handleWatch(String path) {
      if (path.contains("fieldSelector")) {
        return super.handleWatch(path); // a watch of one object: the stock way
      }
      Watcher watcher = new Watcher(getAttributeExtractor().fromPath(path), watchers);
      watchers.add(watcher);
      return new io.fabric8.mockwebserver.http.MockResponse().withWebSocketUpgrade(watcher);
    }

    @Override
    public io.fabric8.mockwebserver.http.MockResponse handleGet(String path) {
      AttributeSet query = getAttributeExtractor().fromPath(path);
      if (path.contains("watch=true")) {
        return super.handleGet(path);
      }
      if (nameKey(query) == null) {
        int limit = queryInt(path, "limit");
        return limit > 0 && PAGED ? page(path, query, limit) : super.handleGet(path);
      }
      Map.Entry<AttributeSet, String> found = findResource(query);
      return found == null
          ? new io.fabric8.mockwebserver.http.MockResponse().setResponseCode(404)
          : new io.fabric8.mockwebserver.http.MockResponse()
              .setResponseCode(200)
              .setBody(found.getValue());
    }

    /**
     * One page of a list, as the API server answers {@code limit} and {@code continue}: the first
     * request takes a snapshot of the matching objects (references to the stored JSON strings, in
     * store order) and a resourceVersion; each page is composed from that snapshot, with a {@code
     * continue} token naming the snapshot and the next offset, until the last page drops it.
     */
    private io.fabric8.mockwebserver.http.MockResponse page(
        String path, AttributeSet query, int limit) {
      String token = queryText(path, "continue");
      Listing listing;
      int from;
      if (token == null) {
        List<String> items = new ArrayList<>();
        long version;
        synchronized (map) {
          version = requestResourceVersion(); // above every stored object's
          map.forEach(
              (key, value) -> {
                if (key.matches(query)) {
                  items.add(value);
                }
              });
        }
        listing = new Listing(items, version);
        token = UUID.randomUUID().toString();
        listings.put(token, listing);
        from = 0;
      } else {
        int colon = token.lastIndexOf(':');
        listing = listings.get(token.substring(0, colon));
        from = Integer.parseInt(token.substring(colon + 1));
        token = token.substring(0, colon);
        if (listing == null) {
          return new io.fabric8.mockwebserver.http.MockResponse().setResponseCode(410);
        }
      }
      int to = Math.min(listing.items().size(), from + limit);
      StringBuilder body = new StringBuilder(64 + 7_000 * (to - from));
      body.append("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[");
      for (int i = from; i < to; i++) {
        body.append(i == from ? "" : ",").append(listing.items().get(i));
      }
      body.append("],\"metadata\":{\"resourceVersion\":\"").append(listing.version()).append('"');
      if (to < listing.items().size()) {
        body.append(",\"continue\":\"").append(token).append(':').append(to).append('"');
      } else {
        listings.remove(token);
      }
      body.append("}}");
      return new io.fabric8.mockwebserver.http.MockResponse()
          .setResponseCode(200)
          .setBody(body.toString());
    }

    private static int queryInt(String path, String name) {
      String value = queryText(path, name);
      return value == null ? -1 : Integer.parseInt(value);
    }

    private static String queryText(String path, String name) {
      int question = path.indexOf('?');
      if (question < 0) {
        return null;
      }
      for (String pair : path.substring(question + 1).split("&")) {
        if (pair.startsWith(name + "=")) {
          return java.net.URLDecoder.decode(
              pair.substring(name.length() + 1), StandardCharsets.UTF_8);
        }
      }
      return null;
    }

    @Override
    public Map.Entry<AttributeSet, String> findResource(AttributeSet query) {
      String name = nameKey(query);
      if (name == null) {
        return super.findResource(query);
      }
      AttributeSet key = byName.get(name);
      String value = key == null ? null : map.get(key);
      return value != null && key.matches(query) ? Map.entry(key, value) : null;
    }

    @Override
    public void processEvent(
        String path,
        AttributeSet pathAttributes,
        AttributeSet oldAttributes,
        GenericKubernetesResource resource,
        String newState) {
      String existing = oldAttributes == null ? null : map.get(oldAttributes);
      super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
      AttributeSet newAttributes = null;
      if (newState != null) {
        newAttributes =
            resource != null
                ? ((KubernetesAttributesExtractor) attributeExtractor).extract(resource)
                : attributeExtractor.fromResource(newState);
        if (!newAttributes.containsKey(KubernetesAttributesExtractor.PLURAL)) {
          newAttributes = AttributeSet.merge(pathAttributes, newAttributes);
        }
      }
      if (oldAttributes != null && nameKey(oldAttributes) != null) {
        byName.remove(nameKey(oldAttributes), oldAttributes);
      }
      if (newAttributes != null && nameKey(newAttributes) != null) {
        byName.put(nameKey(newAttributes), newAttributes);
      }
      if (!java.util.Objects.equals(existing, newState)) {
        notifyWatchers(oldAttributes, existing, newAttributes, newState);
      }
    }

    private void notifyWatchers(
        AttributeSet oldAttributes, String existing, AttributeSet newAttributes, String newState) {
      for (Watcher watcher : watchers) {
        boolean old = oldAttributes != null && oldAttributes.matches(watcher.query);
        boolean now = newAttributes != null && newAttributes.matches(watcher.query);
        if (old && now) {
          watcher.send("MODIFIED", newState);
        } else if (old) {
          watcher.send("DELETED", existing);
        } else if (now) {
          watcher.send("ADDED", newState);
        }
      }
    }

    @Override
    public void reset() {
      super.reset();
      byName.clear();
    }

    /** api group, plural, namespace and name of a stored object or a query; null without a name. */
    private static String nameKey(AttributeSet attributes) {
      Attribute name = attributes.getAttribute(KubernetesAttributesExtractor.NAME);
      if (name == null) {
        return null;
      }
      return attributes.getAttribute(KubernetesAttributesExtractor.API)
          + "|"
          + attributes.getAttribute(KubernetesAttributesExtractor.PLURAL)
          + "|"
          + attributes.getAttribute(KubernetesAttributesExtractor.NAMESPACE)
          + "|"
          + name;
    }
  }

  /** One watch of {@link ApiServerLikeCrud}: events in commit order, from its own thread. */
  static final class Watcher extends io.fabric8.mockwebserver.http.WebSocketListener {
    final AttributeSet query;
    private final Set<Watcher> registry;
    private final CompletableFuture<io.fabric8.mockwebserver.http.WebSocket> socket =
        new CompletableFuture<>();
    private final ExecutorService out =
        Executors.newSingleThreadExecutor(
            task -> {
              Thread thread = new Thread(task, "mock-watch");
              thread.setDaemon(true);
              return thread;
            });

    Watcher(AttributeSet query, Set<Watcher> registry) {
      this.query = query;
      this.registry = registry;
    }

    /** Called with the store's write lock held, so events queue in commit order. */
    void send(String type, String object) {
      String message = "{\"type\":\"" + type + "\",\"object\":" + object + "}";
      try {
        out.execute(() -> socket.join().send(message));
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        // the watch ended meanwhile
      }
    }

    @Override
    public void onOpen(
        io.fabric8.mockwebserver.http.WebSocket webSocket,
        io.fabric8.mockwebserver.http.Response response) {
      socket.complete(webSocket);
    }

    @Override
    public void onClosing(
        io.fabric8.mockwebserver.http.WebSocket webSocket, int code, String reason) {
      webSocket.close(code, reason);
    }

    @Override
    public void onClosed(
        io.fabric8.mockwebserver.http.WebSocket webSocket, int code, String reason) {
      end();
    }

    @Override
    public void onFailure(
        io.fabric8.mockwebserver.http.WebSocket webSocket,
        Throwable failure,
        io.fabric8.mockwebserver.http.Response response) {
      end();
    }

    private void end() {
      registry.remove(this);
      out.shutdownNow();
    }
  }

  /** The pod as PodCache keeps it: identity, labels, the policy annotations, hostNetwork. */
  static PodMeta meta(GenericKubernetesResource pod) {
    Map<String, String> annotations = new HashMap<>();
    for (String key : List.of(PolicyAnnotations.KEY, PolicyAnnotations.LEGACY_KEY)) {
      String value = pod.getMetadata().getAnnotations().get(key);
      if (value != null) {
        annotations.put(key, value);
      }
    }
    return new PodMeta(
        pod.getMetadata().getNamespace(),
        pod.getMetadata().getName(),
        pod.getMetadata().getUid(),
        pod.getMetadata().getLabels(),
        annotations,
        false); // none of the generated pods uses the host network
  }

  static PodMeta renamed(PodMeta pod, String namespace) {
    return new PodMeta(
        namespace,
        pod.namespace() + "-" + pod.name(),
        pod.uid(),
        pod.labels(),
        pod.annotations(),
        pod.hostNetwork());
  }

  /**
   * Pods as a Deployment's ReplicaSet creates them and the kubelet reports them: 40 namespaces of
   * 10 Deployments each, 8 labels, a policy on 3 Deployments of 5, two managedFields entries, a
   * last-applied-configuration, two containers with probes, env, resources and mounts, and a
   * Running status.
   */
  static final class PodFactory {
    private static final com.fasterxml.jackson.databind.ObjectMapper TEXT =
        new com.fasterxml.jackson.databind.ObjectMapper();
    private static final int NAMESPACES = 40;
    private static final int DEPLOYMENTS = 10;
    private static final String[] APPS = {
      "frontend",
      "checkout",
      "cart",
      "catalog",
      "payments",
      "search",
      "ratings",
      "shipping",
      "accounts",
      "notifications"
    };
    private static final String[] POLICIES = {
      null,
      null,
      "allow tcp from label app=frontend to ports 8080; allow tcp from label"
          + " app.kubernetes.io/name=prometheus to ports 9090",
      "allow tcp to ports 80,443; allow icmp type 8",
      "allow tcp from cidr 10.0.0.0/8 to ports 5432; allow tcp from label tier=backend to ports"
          + " 5432,6432"
    };
    private final String template;

    PodFactory() {
      try {
        template = compact(Files.readString(Path.of("bench/reconciler/pod-template.json")));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("run from the project's root directory", e);
      }
    }

    /** Pod {@code i}: its JSON as the API server stores it. */
    String json(int i, long resourceVersion) {
      Random random = new Random(i);
      int namespace = i % NAMESPACES;
      int deployment = (i / NAMESPACES) % DEPLOYMENTS;
      String app = APPS[deployment];
      String hash = hex(new Random(namespace * 100L + deployment), 10);
      String policy = POLICIES[deployment % POLICIES.length];
      Map<String, String> values = new LinkedHashMap<>();
      values.put("NAMESPACE", String.format("team-%02d", namespace));
      values.put("APP", app);
      values.put("HASH", hash);
      values.put("NAME", app + "-" + hash + "-" + alnum(random, 5));
      values.put("UID", new UUID(random.nextLong(), random.nextLong()).toString());
      values.put("RS_UID", new UUID(hash.hashCode(), namespace).toString());
      values.put("RV", Long.toString(resourceVersion));
      values.put("TIER", deployment < 3 ? "frontend" : "backend");
      String lastApplied = quoted(lastApplied(app, values.get("NAMESPACE")));
      values.put("LAST_APPLIED", lastApplied.substring(1, lastApplied.length() - 1));
      values.put("POD_IP", "10.244." + (i / 250 % 250) + "." + (i % 250 + 2));
      values.put("NODE", "node-" + (i % 50));
      values.put("NODE_IP", Integer.toString(i % 50 + 10));
      values.put("CONTAINER_ID", hex(random, 64));
      values.put("SIDECAR_ID", hex(random, 64));
      String text = template;
      if (policy != null) {
        text =
            text.replace(
                "\"annotations\":{",
                "\"annotations\":{\"projectcalico.org/policy\":" + quoted(policy) + ",");
      }
      for (Map.Entry<String, String> value : values.entrySet()) {
        text = text.replace("${" + value.getKey() + "}", value.getValue());
      }
      return text;
    }

    /** A small pod in team-00 that the bench patches to see the end of a watch replay. */
    String sentinel() {
      String text =
          "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"bench-sentinel\","
              + "\"namespace\":\"team-00\",\"uid\":\""
              + UUID.randomUUID()
              + "\","
              + "\"labels\":{\"mark\":\"none\"}},\"spec\":{\"containers\":"
              + "[{\"name\":\"c\",\"image\":\"busybox\"}]}}";
      return text;
    }

    private static String lastApplied(String app, String namespace) {
      return compact(
          "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"annotations\":{},\"labels\":"
              + "{\"app\":\""
              + app
              + "\",\"tier\":\"backend\"},\"name\":\""
              + app
              + "\","
              + "\"namespace\":\""
              + namespace
              + "\"},\"spec\":{\"containers\":[{\"image\":"
              + "\"registry.example.com/shop/"
              + app
              + ":1.4.2\",\"name\":\""
              + app
              + "\",\"ports\":"
              + "[{\"containerPort\":8080,\"name\":\"http\"}],\"resources\":{\"requests\":"
              + "{\"cpu\":\"250m\",\"memory\":\"256Mi\"}}}]}}");
    }

    private static String compact(String json) {
      try {
        return TEXT.readTree(json).toString();
      } catch (java.io.IOException e) {
        throw new IllegalStateException("bad pod template: " + e.getMessage(), e);
      }
    }

    private static String quoted(String text) {
      try {
        return TEXT.writeValueAsString(text);
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    }

    private static String hex(Random random, int length) {
      StringBuilder text = new StringBuilder();
      while (text.length() < length) {
        text.append(Character.forDigit(random.nextInt(16), 16));
      }
      return text.toString();
    }

    private static String alnum(Random random, int length) {
      String chars = "bcdfghjklmnpqrstvwxz2456789";
      StringBuilder text = new StringBuilder();
      while (text.length() < length) {
        text.append(chars.charAt(random.nextInt(chars.length())));
      }
      return text.toString();
    }
  }

  // ---------------------------------------------------------------- heap

  /** A live-object class histogram of this JVM (GC.class_histogram: a full GC first). */
  record Histogram(long total, Map<String, Long> bytesByClass) {
    static Histogram now() throws Exception {
      String text =
          (String)
              ManagementFactory.getPlatformMBeanServer()
                  .invoke(
                      new ObjectName("com.sun.management:type=DiagnosticCommand"),
                      "gcClassHistogram",
                      new Object[] {new String[0]},
                      new String[] {String[].class.getName()});
      Map<String, Long> bytes = new HashMap<>();
      long total = 0;
      for (String line : text.split("\n")) {
        String[] words = line.trim().split("\\s+");
        if (words.length >= 4 && words[0].endsWith(":")) {
          bytes.merge(words[3], Long.parseLong(words[2]), Long::sum);
        } else if (words.length == 3 && words[0].equals("Total")) {
          total = Long.parseLong(words[2]);
        }
      }
      return new Histogram(total, bytes);
    }

    /** Histograms until two in a row differ by less than 0.5% (transient work settled). */
    static Histogram stable() throws Exception {
      Histogram last = now();
      for (int i = 0; i < 10; i++) {
        Thread.sleep(500);
        Histogram next = now();
        if (Math.abs(next.total - last.total) < last.total / 200) {
          return next;
        }
        last = next;
      }
      return last;
    }

    Histogram minus(Histogram before) {
      Map<String, Long> delta = new HashMap<>(bytesByClass);
      before.bytesByClass.forEach((name, bytes) -> delta.merge(name, -bytes, Long::sum));
      return new Histogram(total - before.total, delta);
    }

    String top(int n, int pods) {
      return bytesByClass.entrySet().stream()
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .limit(n)
          .map(e -> String.format("%s %,d", e.getKey(), e.getValue() / pods))
          .toList()
          .toString();
    }
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Polls {@code condition} every {@code every} until true (at most {@link #LONG}); returns when it
   * was seen true. Sleeps between polls: the bench must not take CPU from what it measures.
   */
  static long awaitAt(BooleanSupplier condition, Duration every) throws InterruptedException {
    long deadline = System.nanoTime() + LONG.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("gave up after " + LONG);
      }
      Thread.sleep(every.toMillis());
    }
    return System.nanoTime();
  }

  static long count(KV kv, String prefix) {
    try {
      return kv.get(bytes(prefix), GetOption.builder().isPrefix(true).withCountOnly(true).build())
          .get(10, TimeUnit.SECONDS)
          .getCount();
    } catch (Exception e) {
      throw new IllegalStateException("cannot count " + prefix, e);
    }
  }

  static long revision(KV kv) throws Exception {
    return kv.get(bytes("/"), GetOption.builder().withCountOnly(true).build())
        .get(10, TimeUnit.SECONDS)
        .getHeader()
        .getRevision();
  }

  static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  static void require(boolean condition, String what) {
    if (!condition) {
      throw new IllegalStateException(what);
    }
  }

  static void row(
      String figure, String value, String baseline, String ratio, String target, String met) {
    ROWS.add(new Row(figure, value, baseline, ratio, target, met));
  }

  static String rate(double perSecond) {
    return String.format("%,.0f profiles/s", perSecond);
  }

  static String ratio(double ratio) {
    return String.format("%.2f", ratio);
  }

  static String met(boolean met) {
    return met ? "yes" : "NO";
  }

  /** Under `make bench`: the rows go into the one table of every benchmark (bench/run.sh). */
  static void appendToBenchResults() {
    String file = System.getenv("BENCH_RESULTS");
    if (file == null || file.isBlank()) {
      return;
    }
    StringBuilder tsv = new StringBuilder();
    for (Row r : ROWS) {
      String figure = r.target().isBlank() ? r.figure() : r.figure() + " (goal " + r.target() + ")";
      tsv.append(String.join("\t", "reconciler: " + figure.strip(), r.value(), r.baseline(), r.ratio()))
          .append('\n');
    }
    try {
      java.nio.file.Files.writeString(
          java.nio.file.Path.of(file),
          tsv,
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    } catch (java.io.IOException e) {
      System.err.println("cannot append to " + file + ": " + e);
    }
  }

  static void printTable() {
    appendToBenchResults();
    String[] head = {"figure", "value", "baseline", "ratio", "target", "met?"};
    int[] widths = new int[head.length];
    List<String[]> lines = new ArrayList<>();
    lines.add(head);
    ROWS.forEach(
        r ->
            lines.add(
                new String[] {
                  r.figure(), r.value(), r.baseline(), r.ratio(), r.target(), r.met()
                }));
    for (String[] line : lines) {
      for (int i = 0; i < line.length; i++) {
        widths[i] = Math.max(widths[i], line[i].length());
      }
    }
    System.out.println();
    for (String[] line : lines) {
      StringBuilder text = new StringBuilder("|");
      for (int i = 0; i < line.length; i++) {
        text.append(' ').append(String.format("%-" + widths[i] + "s", line[i])).append(" |");
      }
      System.out.println(text);
      if (line == head) {
        StringBuilder rule = new StringBuilder("|");
        for (int width : widths) {
          rule.append(' ').append("-".repeat(width)).append(" |");
        }
        System.out.println(rule);
      }
    }
  }

  static String machine() {
    String cpu = "unknown CPU";
    String memory = "unknown memory";
    try {
      cpu =
          Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
              .filter(l -> l.startsWith("model name"))
              .map(l -> l.substring(l.indexOf(':') + 1).trim())
              .findFirst()
              .orElse(cpu);
      memory =
          Files.readAllLines(Path.of("/proc/meminfo")).stream()
              .filter(l -> l.startsWith("MemTotal"))
              .map(
                  l ->
                      String.format(
                          "%.1f GiB RAM", Long.parseLong(l.replaceAll("\\D", "")) / 1048576.0))
              .findFirst()
              .orElse(memory);
    } catch (java.io.IOException e) {
      // not Linux: leave them unknown
    }
    return String.format(
        "machine: %d CPUs (%s), %s; JDK %s; max heap %d MiB; %s",
        Runtime.getRuntime().availableProcessors(),
        cpu,
        memory,
        System.getProperty("java.vm.version"),
        Runtime.getRuntime().maxMemory() / 1048576,
        etcdVersion());
  }

  static String etcdVersion() {
    try {
      Process etcd = new ProcessBuilder("etcd", "--version").redirectErrorStream(true).start();
      String first =
          new String(etcd.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
              .lines()
              .findFirst()
              .orElse("");
      etcd.waitFor();
      return first;
    } catch (Exception e) {
      return "etcd version unknown";
    }
  }
}
