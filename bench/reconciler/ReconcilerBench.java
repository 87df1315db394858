import io.calicowebhook.etcd.EtcdProcess;
import java.util.ArrayList;
import java.util.List;

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

  /**
   * Rounds of the worker alone and the first programming, one right after the other, after one that
   * warms both up: one round's ratio moves by a tenth with what else the two cores do.
   */
  private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);

  /** The mock server logs every request at INFO; kept here so that the level stays set. */
  private static final java.util.logging.Logger MOCK_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

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
    ResultTable.printTable();
    System.exit(status); // the mock server's vert.x threads would keep the JVM alive
  }

  static void run(int podCount, int changeCount) throws Exception {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    System.out.println(ResultTable.machine());
    boolean stockWatches = Boolean.getBoolean("bench.stockWatches");
    System.out.println(
        stockWatches
            ? "mock API: stock CRUD dispatcher (a new watch first replays every stored pod)"
            : "mock API: CRUD dispatcher with API-server-like watches, lookups by name and "
                + (ApiServerLikeCrud.PAGED ? "paged lists" : "lists in one page"));
    try (MockApi api = MockApi.start(stockWatches)) {
      long seedStart = System.nanoTime();
      MockApi.Seeded seeded = api.seed(podCount);
      System.out.printf(
          "seeded %,d pods in %.1f s (built in parallel, then %.1f s to store them in the mock's"
              + " CRUD store); JSON %,d bytes per pod on average, %,d to %,d; %d%% with a policy"
              + " annotation; not measured%n",
          podCount,
          Bench.seconds(seedStart),
          seeded.storeSeconds(),
          seeded.totalBytes() / podCount,
          seeded.minBytes(),
          seeded.maxBytes(),
          100 * seeded.withPolicy() / podCount);
      FirstProgramming.warmUpInformer(api.client(), podCount);
      Replica kept = null;
      EtcdProcess keptEtcd = null;
      try {
        List<FirstProgramming.Round> rounds = new ArrayList<>();
        for (int r = 0; r <= ROUNDS; r++) {
          // FirstProgramming.Round 0 warms both up and is not counted: in a first run of 20,000 the
          // worker wrote
          // 3,000 profiles/s, and 9,000/s two rounds later. FirstProgramming.Baseline and
          // reconciler then take
          // turns at going first, so that a drift in the machine's load falls on both alike.
          boolean baselineFirst = r % 2 == 1;
          FirstProgramming.Baseline worker =
              baselineFirst ? FirstProgramming.baseline(seeded.pods()) : null;
          EtcdProcess etcd = EtcdProcess.startTemporary();
          Replica service = new Replica(api.client(), etcd.endpoint());
          FirstProgramming.Programming programming = FirstProgramming.measure(service, podCount);
          if (!baselineFirst) {
            worker = FirstProgramming.baseline(seeded.pods());
          }
          FirstProgramming.Round round = new FirstProgramming.Round(worker, programming);
          if (r > 0) {
            rounds.add(round);
          }
          System.out.printf(
              "%s: the worker alone %s, first programming %.2f s = %s: %.2f of it%n",
              r == 0 ? "warm-up round, not counted" : "round " + r + " of " + ROUNDS,
              ResultTable.rate(worker.rate()),
              programming.total(),
              ResultTable.rate(round.rate()),
              round.ratio());
          if (r < ROUNDS) {
            service.close();
            etcd.close();
          } else {
            kept = service;
            keptEtcd = etcd;
          }
        }
        FirstProgramming.rows(rounds);
        UnchangedResync.run(kept);
        LabelChanges.run(api.client(), kept, seeded.pods(), changeCount);
      } finally {
        if (kept != null) {
          kept.close();
        }
        if (keptEtcd != null) {
          keptEtcd.close();
        }
      }
      HeapPerPod.run(api, podCount);
    }
  }
}
