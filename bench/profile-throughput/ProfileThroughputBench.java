import io.calicowebhook.etcd.EtcdKeys;
import io.calicowebhook.etcd.EtcdProcess;
import io.calicowebhook.etcd.TxnLimits;
import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.profile.DefaultPolicy;
import io.calicowebhook.profile.Profile;
import io.calicowebhook.profile.ProfileBuilder;
import io.calicowebhook.store.OwnRevisions;
import io.calicowebhook.store.ProfileStore;
import io.calicowebhook.worker.AdmittedPods;
import io.calicowebhook.worker.ProblemReports;
import io.calicowebhook.worker.ProfilePlanner;
import io.calicowebhook.worker.ProfileWorker;
import io.calicowebhook.worker.WorkerSettings;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.options.GetOption;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * Profile programming throughput: the batched worker against a baseline that awaits each put in
 * turn, on the same private etcd in the same run. Prints both rates and their ratio. Also measures
 * the ceiling of this etcd on this machine: the same keys written as blind transactions of 126 puts
 * with as many in flight, no reads, no guards; the worker's share of it says how much the
 * unchanged-check and the ownership guard cost.
 *
 * <p>Run with {@code make bench-profiles} (see bench/profile-throughput/README.md). Arguments:
 * baseline profiles (1000), worker profiles (20000), the least acceptable ratio (0: exit status 1
 * below it), transactions in flight (8, the service's default), rounds (9: worker and ceiling
 * measured in turn after a warm-up of each, medians reported).
 */
public class ProfileThroughputBench {
  private static final ProfileBuilder BUILDER = new ProfileBuilder(DefaultPolicy.NS_ISOLATION);
  private static int inFlight;

  public static void main(String[] args) throws Exception {
    int sequentialCount = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
    int batchedCount = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    double minRatio = args.length > 2 ? Double.parseDouble(args[2]) : 0;
    inFlight = args.length > 3 ? Integer.parseInt(args[3]) : 8;
    int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 9;
    try (EtcdProcess etcd = EtcdProcess.startTemporary();
        Client client = Client.builder().endpoints(etcd.endpoint()).build()) {
      KV kv = client.getKVClient();
      // Both writers warm up alike before anything is timed: the JIT compiles the worker's and
      // jetcd's paths while they first run, and a cold round measures the compiler (over half of
      // the CPU samples of a single cold round of 20,000) more than the writer.
      sequential(kv, "warmup-seq", 200);
      batched(kv, "warmup-batch", batchedCount);
      EtcdCeiling.measure(kv, i -> pod("warmup-blind", i), batchedCount, inFlight);

      double sequential = sequential(kv, "seq", sequentialCount);
      double[] worker = new double[rounds];
      double[] ceiling = new double[rounds];
      double[] ofCeiling = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        String round = Integer.toString(r);
        worker[r] = batched(kv, "batch" + round, batchedCount);
        check(kv, "batch" + round, batchedCount);
        ceiling[r] = EtcdCeiling.measure(kv, i -> pod("blind" + round, i), batchedCount, inFlight);
        ofCeiling[r] = worker[r] / ceiling[r];
        System.out.printf(
            "round %d: worker %,.0f profiles/s, ceiling %,.0f profiles/s, ratio %.2f%n",
            r + 1, worker[r], ceiling[r], ofCeiling[r]);
      }
      double batched = median(worker);

      double ratio = batched / sequential;
      System.out.printf("etcd %s, data in %s%n", etcd.endpoint(), etcd.dataDir());
      System.out.printf(
          "baseline, each put awaited: %,10.0f profiles/s (%d profiles)%n",
          sequential, sequentialCount);
      System.out.printf(
          "batched worker:             %,10.0f profiles/s (%d profiles, median of %d rounds)%n",
          batched, batchedCount, rounds);
      System.out.printf("ratio batched/baseline:     %10.1f%n", ratio);
      System.out.printf(
          "ceiling, blind txns:        %,10.0f profiles/s (median of %d rounds)%n",
          median(ceiling), rounds);
      System.out.printf(
          "ratio batched/ceiling:      %10.2f (median of the rounds' ratios)%n", median(ofCeiling));
      Results.add(
          "idle worker, `make bench-profiles`, profiles/s",
          String.format("%,.0f", batched),
          String.format("blind batched txns: %,.0f", median(ceiling)),
          String.format("%.2f", median(ofCeiling)));
      if (ratio < minRatio) {
        System.out.printf("FAIL: ratio below %.1f%n", minRatio);
        System.exit(1);
      }
    }
  }

  /** The baseline: rules, tags and ownership record of each profile, one awaited put at a time. */
  static double sequential(KV kv, String namespace, int count) throws Exception {
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      PodMeta pod = pod(namespace, i);
      Profile profile = BUILDER.build(pod).orElseThrow();
      put(kv, EtcdKeys.rules(profile.id()), profile.rulesJson());
      put(kv, EtcdKeys.tags(profile.id()), profile.tagsJson());
      put(kv, EtcdKeys.owner(profile.id()), "{\"uid\":\"" + pod.uid() + "\"}");
    }
    return count / seconds(start);
  }

  /** The worker as the service runs it: every pod queued at once, timed until all are written. */
  static double batched(KV kv, String namespace, int count) throws Exception {
    AdmittedPods pods = new AdmittedPods();
    TxnLimits limits = new TxnLimits(128, 1_400_000);
    ProfileStore store =
        new ProfileStore(
            kv, limits, Duration.ofSeconds(10), new SimpleMeterRegistry(), new OwnRevisions());
    WorkerSettings settings =
        new WorkerSettings(
            inFlight, Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofMinutes(5));
    ProfileWorker worker =
        new ProfileWorker(
            pods,
            new ProfilePlanner(BUILDER, limits),
            store,
            ProblemReports.logOnly(),
            settings,
            new SimpleMeterRegistry());
    long start = System.nanoTime();
    worker.start();
    for (int i = 0; i < count; i++) {
      PodMeta pod = pod(namespace, i);
      pods.record(pod);
      worker.submit(pod.key());
    }
    if (!worker.drain(Duration.ofMinutes(5))) {
      throw new IllegalStateException("worker did not finish");
    }
    return count / seconds(start);
  }

  static void check(KV kv, String namespace, int count) throws Exception {
    GetOption countOnly = GetOption.builder().isPrefix(true).withCountOnly(true).build();
    long owners =
        kv.get(bytes(EtcdKeys.OWNER_PREFIX + namespace + "_"), countOnly).get().getCount();
    if (owners != count) {
      throw new IllegalStateException("expected " + count + " profiles, etcd has " + owners);
    }
  }

  static PodMeta pod(String namespace, int i) {
    return new PodMeta(
        namespace,
        "pod-" + i,
        "uid-" + i,
        Map.of("app", "web", "shard", Integer.toString(i % 16)),
        Map.of("projectcalico.org/policy", "allow tcp to ports 80,443; allow from label app=lb"),
        false);
  }

  static void put(KV kv, String key, String value) throws Exception {
    kv.put(bytes(key), bytes(value)).get();
  }

  static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }

  static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
