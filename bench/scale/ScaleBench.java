import io.calicowebhook.etcd.EtcdProcess;
import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.profile.Escaping;
import io.etcd.jetcd.Client;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * The service at the size of the largest cluster Kubernetes supports (issue 23), in three processes
 * besides etcd: the mock API server ({@link ScaleApiServer}), the packaged service with the image's
 * JVM flags for the chart's memory limit ({@link ServiceJar}), and this bench, which drives them
 * and watches etcd ({@link EtcdLog}). In one run:
 *
 * <ol>
 *   <li>etcd's ceiling for the same profiles: blind batched transactions, in an etcd of its own;
 *   <li>the heap of a replica with no pods (the base the per-pod figure is taken from);
 *   <li>the first programming of 150,000 pods: start of the process to every ownership record;
 *   <li>the resync that follows it (nothing to write), the heap after it, and the heap at the peak
 *       of the next one (full collections every second while it runs);
 *   <li>churn: 300 pods created and 300 deleted a second for five minutes, the lag of each from the
 *       API server's change to etcd's, the heap before and after, the RSS all along;
 *   <li>under the same churn, a rolling restart: a second replica starts, the first gets SIGTERM;
 *       the time from its exit to the new leader's first write; after the churn, etcd compared with
 *       every live pod, and every deletion with the pod's.
 * </ol>
 *
 * Arguments: pods (150000), churn per second (300), churn seconds before the restart (300).
 */
public class ScaleBench {
  private static final long MIB = 1024 * 1024;
  private final int podCount;
  private final int rate;
  private final int seconds;
  private final Path work = Path.of("target/bench/scale");
  private final long memoryLimit = ChartLimits.memoryLimit();
  private final ScaleTable table = new ScaleTable();

  ScaleBench(int podCount, int rate, int seconds) {
    this.podCount = podCount;
    this.rate = rate;
    this.seconds = seconds;
  }

  public static void main(String[] args) {
    org.jboss.logmanager.LogContext.getLogContext()
        .getLogger("")
        .setLevel(java.util.logging.Level.WARNING);
    int status = 0;
    ScaleBench bench =
        new ScaleBench(
            args.length > 0 ? Integer.parseInt(args[0]) : 150_000,
            args.length > 1 ? Integer.parseInt(args[1]) : 300,
            args.length > 2 ? Integer.parseInt(args[2]) : 300);
    try {
      bench.run();
    } catch (Exception | AssertionError e) {
      e.printStackTrace();
      status = 2;
    }
    bench.table.print();
    System.exit(status);
  }

  void run() throws Exception {
    deleteTree(work);
    Files.createDirectories(work);
    System.out.printf(
        "%,d pods, churn %d/s for %d s; the service with %s%n",
        podCount, rate, seconds, String.join(" ", ChartLimits.jvmFlags(memoryLimit)));
    double ceiling = ceiling();
    try (MockProcess api = MockProcess.start(work);
        EtcdProcess etcd = EtcdProcess.startTemporary();
        Client client = Client.builder().endpoints(etcd.endpoint()).build()) {
      long baseHeap = emptyReplica(api, etcd);
      String seeded = api.command("seed " + podCount);
      System.out.println(seeded);
      try (EtcdLog log = new EtcdLog(client)) {
        ServiceJar first = firstProgramming(api, etcd, log, ceiling);
        try (first) {
          long heap = afterProgramming(first, log, baseHeap);
          resyncPeak(first, heap);
          if (seconds > 0) { // 0: no churn, no restart (a quicker run of the rest)
            churn(api, etcd, log, first, heap);
          }
        }
      }
    }
  }

  /** Blind batched transactions of the same profiles, in an etcd of their own. */
  private double ceiling() throws Exception {
    ScalePods pods = new ScalePods();
    // A broken pod's profile is the fail-closed one; here it gets the no-policy profile instead.
    List<PodMeta> metas =
        IntStream.range(0, podCount)
            .parallel()
            .mapToObj(i -> ScalePods.broken(i) ? withoutPolicy(pods.meta(i)) : pods.meta(i))
            .toList();
    try (EtcdProcess etcd = EtcdProcess.startTemporary();
        Client client = Client.builder().endpoints(etcd.endpoint()).build()) {
      EtcdCeiling.measure(
          client.getKVClient(),
          i -> PodFactory.renamed(metas.get(i), "warmup"),
          Math.min(5_000, podCount),
          8);
      double rate = EtcdCeiling.measure(client.getKVClient(), metas::get, podCount, 8);
      table.row(
          "etcd's ceiling: blind batched transactions of the same profiles",
          String.format("%,.0f profiles/s = %.1f s for %,d", rate, podCount / rate, podCount),
          "",
          "");
      return rate;
    }
  }

  private static PodMeta withoutPolicy(PodMeta pod) {
    return new PodMeta(
        pod.namespace(), pod.name(), pod.uid(), pod.labels(), Map.of(), pod.hostNetwork());
  }

  /** The live heap of a replica that leads with no pods: what the per-pod figure starts from. */
  private long emptyReplica(MockProcess api, EtcdProcess etcd) throws Exception {
    try (ServiceJar empty = start("replica-empty", api, etcd)) {
      await(() -> empty.resyncs().size() >= 1, 120, "the empty replica's first resync");
      Thread.sleep(2_000);
      long heap = empty.liveHeap().total();
      table.row(
          "heap of a leading replica with no pods (live objects after a full GC)",
          mib(heap),
          "",
          "");
      empty.stop();
      return heap;
    }
  }

  private ServiceJar start(String name, MockProcess api, EtcdProcess etcd) throws IOException {
    Map<String, String> settings = new HashMap<>();
    // A resync every 2 minutes instead of every 5: the bench measures the peak of one, and the
    // churn's 5 minutes see two.
    settings.put("CALICO_RECONCILER_RESYNC_PERIOD", "120s");
    return ServiceJar.start(name, work, api.port, etcd.endpoint(), memoryLimit, settings);
  }

  private ServiceJar firstProgramming(
      MockProcess api, EtcdProcess etcd, EtcdLog log, double ceiling) throws Exception {
    double apiCpu = api.cpuSeconds();
    double etcdCpu = ProcessCpu.etcdSeconds();
    ServiceJar replica = start("replica-a", api, etcd);
    long start = replica.started;
    await(() -> log.owners.get() >= podCount, 600, "every profile in etcd");
    double took = (System.nanoTime() - start) / 1e9;
    double rateNow = podCount / took;
    long led = log.terms().isEmpty() ? start : log.terms().get(0).at;
    table.goal(
        String.format("first programming of %,d pods, start to every profile in etcd", podCount),
        String.format("%.1f s = %,.0f profiles/s", took, rateNow),
        String.format("etcd's ceiling: %,.0f profiles/s", ceiling),
        String.format("%.2f", rateNow / ceiling),
        "< 30 s",
        took < 30);
    table.row("  of which: start to leading (term written)", secs((led - start) / 1e9), "", "");
    table.row(
        "  CPU: the service / the mock API server / etcd",
        String.format(
            "%.1f / %.1f / %.1f CPU-s in %.1f s",
            replica.cpuSeconds(),
            api.cpuSeconds() - apiCpu,
            ProcessCpu.etcdSeconds() - etcdCpu,
            took),
        "",
        "");
    return replica;
  }

  /** The resync after the first programming, and the heap after it. */
  private long afterProgramming(ServiceJar replica, EtcdLog log, long baseHeap) throws Exception {
    long changes = log.profileChanges.get();
    await(() -> !replica.resyncs().isEmpty(), 300, "the first resync");
    Thread.sleep(1_000);
    ServiceJar.Resync resync = replica.resyncs().get(0);
    long written = log.profileChanges.get() - changes;
    table.goal(
        String.format("unchanged resync of %,d pods: duration", resync.pods()),
        String.format("%.2f s", resync.took().toMillis() / 1e3),
        "",
        "",
        "< 10 s",
        resync.took().toMillis() < 10_000);
    table.goal(
        "  queued / etcd keys written",
        resync.queued() + " / " + written,
        "",
        "",
        "0 / 0",
        resync.queued() == 0 && written == 0);
    Histogram live = replica.liveHeap();
    long heap = live.total();
    table.row("heap after the first programming (live objects after a full GC)", mib(heap), "", "");
    table.goal(
        "  of which per pod, above the replica with no pods",
        String.format("%,d B", (heap - baseHeap) / podCount),
        "",
        "",
        "< 2 KiB",
        (heap - baseHeap) / podCount < 2048);
    System.out.println("largest classes, bytes per pod: " + live.top(12, podCount));
    return heap;
  }

  /** Full collections every second until the next resync ends: the most it holds at once. */
  private void resyncPeak(ServiceJar replica, long heapBefore) throws Exception {
    int before = replica.resyncs().size();
    List<long[]> samples = new ArrayList<>(); // {time, live bytes}
    long deadline = System.nanoTime() + 200_000_000_000L;
    while (replica.resyncs().size() == before && System.nanoTime() < deadline) {
      samples.add(new long[] {System.nanoTime(), replica.liveHeap().total()});
      Thread.sleep(500);
    }
    long ended = System.nanoTime();
    Bench.require(replica.resyncs().size() > before, "a second resync within 200 s");
    ServiceJar.Resync resync = replica.resyncs().get(before);
    long began = ended - resync.took().toNanos() - 1_000_000_000L;
    long peak = samples.stream().filter(s -> s[0] >= began).mapToLong(s -> s[1]).max().orElse(-1);
    long during = samples.stream().filter(s -> s[0] >= began).count();
    table.row(
        "heap at the peak of a resync (live objects, full GCs while it ran)",
        peak < 0
            ? "no sample within the resync"
            : String.format(
                "%s: %s more, %,d B per pod (%d samples)",
                mib(peak), mib(peak - heapBefore), (peak - heapBefore) / podCount, during),
        "",
        "");
    table.goal(
        "RSS of the service so far, peak (VmHWM)",
        mib(replica.peakRss()),
        "the chart's limit: " + mib(memoryLimit),
        String.format("%.2f", (double) replica.peakRss() / memoryLimit),
        "< 0.9",
        replica.peakRss() < memoryLimit * 0.9);
  }

  private void churn(MockProcess api, EtcdProcess etcd, EtcdLog log, ServiceJar first, long heap)
      throws Exception {
    int restartSeconds = 70;
    Path file = work.resolve("churn.txt");
    long churnStart = System.nanoTime();
    api.send(
        String.format("churn %d %d %s", rate, seconds + restartSeconds, file.toAbsolutePath()));
    Sampler rss = Sampler.start(first);
    // The heap after the first minute, when the bounded memories (deleted pods' uids, own
    // revisions) have filled, and at the end.
    Thread.sleep(Math.min(60, seconds / 2) * 1000L);
    long afterMinute = first.liveHeap().total();
    Thread.sleep((seconds - Math.min(60, seconds / 2)) * 1000L);
    rss.stop();
    long afterChurn = first.liveHeap().total();
    table.goal(
        String.format(
            "churn %d+%d pods/s for %d s: heap before, after a minute, at the end",
            rate, rate, seconds),
        mib(heap) + " -> " + mib(afterMinute) + " -> " + mib(afterChurn),
        "",
        String.format("%.2f", (double) afterChurn / afterMinute),
        "flat (< 1.05)",
        afterChurn < afterMinute * 1.05);
    table.goal(
        "  RSS: first minute's peak -> last minute's peak; highest",
        mib(rss.firstMinutePeak()) + " -> " + mib(rss.lastMinutePeak()) + "; " + mib(rss.peak()),
        "the chart's limit: " + mib(memoryLimit),
        String.format("%.2f", (double) rss.peak() / memoryLimit),
        "< 0.9, flat",
        rss.peak() < memoryLimit * 0.9 && rss.lastMinutePeak() < rss.firstMinutePeak() * 1.1);
    table.row("  profiles pending in the worker, highest sample", rss.pendingText(), "", "");
    try (ServiceJar second = start("replica-b", api, etcd)) {
      long exited = rollingRestart(log, first, second);
      System.out.println(api.await("churned"));
      long churnEnd = System.nanoTime();
      ChurnLog changes = ChurnLog.read(file);
      lag(changes, log, churnStart);
      converge(api, log, changes, churnEnd);
      table.row("  replica B's peak RSS (VmHWM)", mib(second.peakRss()), "", "");
      List<Long> nearExit = new ArrayList<>();
      for (ChurnLog.Change change : changes.all()) {
        EtcdLog.Times times = log.times(change.id());
        if (change.created()
            && Math.abs(change.at() - exited) < 10_000_000_000L
            && times != null
            && times.firstPut != 0) {
          nearExit.add(times.firstPut - change.at());
        }
      }
      table.row(
          "  lag of the pods created from 10 s before to 10 s after A's exit (p50 / p99 / max)",
          Lag.of(nearExit).text(),
          "",
          "");
    }
  }

  /**
   * With replica B started: waits until it is ready, as a Deployment's rolling update (maxSurge 1,
   * maxUnavailable 0) does before it stops the old pod, then stops A with SIGTERM; returns A's
   * exit.
   */
  private long rollingRestart(EtcdLog log, ServiceJar first, ServiceJar second) throws Exception {
    await(() -> second.count("started in") > 0, 120, "replica B's start");
    long started = System.nanoTime();
    while (!second.ready()) {
      Bench.require(System.nanoTime() - started < 300e9, "replica B ready within 300 s");
      Thread.sleep(1_000); // the kubelet's probe period is longer
    }
    table.row(
        "rolling restart: replica B started to ready (its informer listed every pod)",
        secs((System.nanoTime() - second.started) / 1e9),
        "",
        "");
    long exited = first.stop();
    await(
        () -> log.terms().stream().anyMatch(t -> t.value.contains("replica-b") && t.firstWrite > 0),
        120,
        "replica B's first write");
    EtcdLog.Term term =
        log.terms().stream().filter(t -> t.value.contains("replica-b")).findFirst().orElseThrow();
    table.row(
        "rolling restart under churn: SIGTERM to A to B's term / B's first write / A's exit",
        secs((term.at - first.signalled) / 1e9)
            + " / "
            + secs((term.firstWrite - first.signalled) / 1e9)
            + " / "
            + secs((exited - first.signalled) / 1e9),
        "",
        "");
    return exited;
  }

  private void lag(ChurnLog changes, EtcdLog log, long churnStart) {
    long windowEnd = churnStart + seconds * 1_000_000_000L;
    List<Long> created = new ArrayList<>();
    List<Long> deleted = new ArrayList<>();
    int neverProgrammed = 0;
    for (ChurnLog.Change change : changes.all()) {
      if (change.at() > windowEnd) {
        continue;
      }
      EtcdLog.Times times = log.times(change.id());
      if (change.created()) {
        if (times == null || times.firstPut == 0) {
          neverProgrammed++;
        } else {
          created.add(times.firstPut - change.at());
        }
      } else if (times != null && times.deleted != 0) {
        deleted.add(times.deleted - change.at());
      }
    }
    printOverTime(changes, log, churnStart, windowEnd);
    Lag create = Lag.of(created);
    Lag delete = Lag.of(deleted);
    table.goal(
        "  lag, pod created in the API to its profile in etcd (p50 / p99 / max)",
        create.text(),
        "",
        "",
        "p99 < 1 s",
        create.p99() < 1_000_000_000L);
    table.goal(
        "  lag, pod deleted in the API to its profile gone (p50 / p99 / max)",
        delete.text(),
        "",
        "",
        "p99 < 1 s",
        delete.p99() < 1_000_000_000L);
    table.row(
        "  pods created in the window whose profile was never written (deleted first)",
        Integer.toString(neverProgrammed),
        "",
        "");
  }

  /** The creation lag per 30 s of the churn, to the console: when the slow ones came. */
  private static void printOverTime(ChurnLog changes, EtcdLog log, long from, long to) {
    Map<Long, List<Long>> buckets = new java.util.TreeMap<>();
    for (ChurnLog.Change change : changes.all()) {
      EtcdLog.Times times = log.times(change.id());
      if (change.created() && change.at() <= to && times != null && times.firstPut != 0) {
        buckets
            .computeIfAbsent((change.at() - from) / 30_000_000_000L, k -> new ArrayList<>())
            .add(times.firstPut - change.at());
      }
    }
    buckets.forEach(
        (bucket, lags) ->
            System.out.printf(
                "  churn %3d-%3d s: creation lag %s%n",
                bucket * 30, bucket * 30 + 30, Lag.of(lags).text()));
  }

  /** After the churn: every live pod has its profile, no other profile is left. */
  private void converge(MockProcess api, EtcdLog log, ChurnLog changes, long churnEnd)
      throws Exception {
    Path livePods = work.resolve("live.txt");
    api.command("live " + livePods.toAbsolutePath());
    Set<String> live = new HashSet<>();
    for (String line : Files.readAllLines(livePods)) {
      int slash = line.indexOf('/');
      live.add(Escaping.profileId(line.substring(0, slash), line.substring(slash + 1)));
    }
    long deadline = System.nanoTime() + 180_000_000_000L;
    while (System.nanoTime() < deadline && differences(live, log) > 0) {
      Thread.sleep(500);
    }
    double took = (System.nanoTime() - churnEnd) / 1e9;
    long missing = live.stream().filter(id -> !present(log.times(id))).count();
    long extra = log.owners.get() - (live.size() - missing);
    table.goal(
        "  after the churn: live pods without a profile / profiles without a pod",
        missing + " / " + extra + String.format(" (converged %.1f s after its end)", took),
        String.format("%,d live pods", live.size()),
        "",
        "0 / 0",
        missing == 0 && extra == 0);
    Map<String, Long> deletedAt = changes.deletedAt();
    long wrong =
        log.deletions().stream()
            .filter(d -> !deletedAt.containsKey(d.id()) || deletedAt.get(d.id()) > d.at())
            .count();
    table.goal(
        "  profiles of live pods deleted, the whole run",
        Long.toString(wrong),
        String.format("%,d profiles deleted", log.deletions().size()),
        "",
        "0",
        wrong == 0);
  }

  private static int differences(Set<String> live, EtcdLog log) {
    long present = live.stream().filter(id -> present(log.times(id))).count();
    return (int) (live.size() - present + (log.owners.get() - present));
  }

  private static boolean present(EtcdLog.Times times) {
    return times != null && times.lastPut != 0 && times.deleted == 0;
  }

  static String mib(long bytes) {
    return String.format("%,.0f MiB", bytes / (double) MIB);
  }

  static String secs(double seconds) {
    return String.format("%.2f s", seconds);
  }

  static void await(java.util.function.BooleanSupplier condition, int seconds, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("gave up waiting for " + what + " after " + seconds + " s");
      }
      Thread.sleep(20);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** The mock API server's process and its command line. */
  static final class MockProcess implements AutoCloseable {
    final Process process;
    final int port;
    private final PrintWriter in;
    private final BufferedReader out;
    private volatile String pending;

    private MockProcess(Process process, int port) {
      this.process = process;
      this.port = port;
      this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
      this.out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    static MockProcess start(Path work) throws Exception {
      int port = ServiceJar.freePort();
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(
          List.of(
              "-Xmx" + Integer.getInteger("bench.mockHeapMiB", 4096) + "m",
              "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
              "-cp",
              System.getProperty("java.class.path"),
              "ScaleApiServer",
              Integer.toString(port)));
      Process process =
          new ProcessBuilder(command).redirectError(work.resolve("mock-api.log").toFile()).start();
      MockProcess mock = new MockProcess(process, port);
      String ready = mock.out.readLine();
      Bench.require(ready != null && ready.startsWith("ready"), "the mock API server started");
      return mock;
    }

    /** Sends a command and waits for its one-line answer. */
    String command(String line) throws IOException {
      in.println(line);
      String answer = out.readLine();
      Bench.require(answer != null && !answer.startsWith("error"), line + ": " + answer);
      return answer;
    }

    /** Sends a command whose answer {@link #await} takes later. */
    void send(String line) {
      in.println(line);
      Thread reader =
          new Thread(
              () -> {
                try {
                  pending = out.readLine();
                } catch (IOException e) {
                  pending = "error: " + e;
                }
              },
              "mock-answer");
      reader.setDaemon(true);
      reader.start();
    }

    boolean finished() {
      return pending != null;
    }

    String await(String prefix) throws InterruptedException {
      ScaleBench.await(this::finished, 900, "the mock's answer");
      Bench.require(pending.startsWith(prefix), "answer: " + pending);
      String answer = pending;
      pending = null;
      return answer;
    }

    double cpuSeconds() {
      return ProcessCpu.seconds(process.pid());
    }

    @Override
    public void close() {
      in.println("quit");
      process.destroyForcibly();
    }
  }

  /** Pod creations and deletions the mock made, with their times. */
  record ChurnLog(List<Change> all) {
    record Change(boolean created, long at, String id) {}

    private static final Pattern LINE = Pattern.compile("([CD]) (\\d+) ([^/]+)/(.+)");

    static ChurnLog read(Path file) throws IOException {
      List<Change> all = new ArrayList<>();
      for (String line : Files.readAllLines(file)) {
        Matcher m = LINE.matcher(line);
        if (m.matches()) {
          all.add(
              new Change(
                  m.group(1).equals("C"),
                  Long.parseLong(m.group(2)),
                  Escaping.profileId(m.group(3), m.group(4))));
        }
      }
      return new ChurnLog(all);
    }

    Map<String, Long> deletedAt() {
      Map<String, Long> at = new HashMap<>();
      all.stream().filter(c -> !c.created()).forEach(c -> at.put(c.id(), c.at()));
      return at;
    }
  }

  /** Percentiles of lags in nanoseconds. */
  record Lag(long p50, long p99, long max, int count) {
    static Lag of(List<Long> lags) {
      long[] sorted = lags.stream().mapToLong(Long::longValue).sorted().toArray();
      if (sorted.length == 0) {
        return new Lag(-1, Long.MAX_VALUE, -1, 0);
      }
      return new Lag(
          sorted[sorted.length / 2],
          sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)],
          sorted[sorted.length - 1],
          sorted.length);
    }

    String text() {
      return String.format(
          "%d / %d / %d ms (%,d pods)", p50 / 1_000_000, p99 / 1_000_000, max / 1_000_000, count);
    }
  }
}
