import io.calicowebhook.reconciler.PodCache;
import io.calicowebhook.worker.PodState;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.concurrent.TimeUnit;

/** Phase 5: heap held per cached pod, against a plain informer that keeps whole Pods. */
final class HeapPerPod {
  private HeapPerPod() {}

  /**
   * Live heap held by a filled PodCache, and by a plain informer keeping whole Pods: class
   * histograms (each after a full GC) with and without it, divided by the pods.
   */
  static void run(MockApi api, int podCount) throws Exception {
    api.createSentinel();
    Histogram before = Histogram.stable();
    long start = System.nanoTime();
    CpuClock clock = CpuClock.start();
    PodCache cache = new PodCache(api.client(), 500, java.time.Duration.ofMinutes(3));
    cache.start().toCompletableFuture().get(Bench.LONG.toSeconds(), TimeUnit.SECONDS);
    long synced = System.nanoTime();
    Cpu listing = clock.since();
    api.awaitWatchCaughtUp(
        key -> cache.state(key) instanceof PodState.Present p ? p.pod().labels() : null);
    System.out.printf(
        "a PodCache alone on the mock API: synced %.2f s after start (%s); the mock's replay of"
            + " every pod on the new watch took %.2f s more%n",
        (synced - start) / 1e9, listing.text(), Bench.seconds(synced));
    ResultTable.row(
        "the listing alone, warm: a PodCache on the mock API, nothing written",
        String.format("%.2f s; %s", (synced - start) / 1e9, listing.text()),
        "",
        "",
        "",
        "");
    Histogram slim = Histogram.stable().minus(before);
    Bench.require(
        cache.size() == podCount + 1, "the cache holds " + cache.size() + " pods"); // + sentinel
    cache.close();

    Histogram beforeFull = Histogram.stable();
    SharedIndexInformer<Pod> informer =
        api.client().pods().inAnyNamespace().withLimit(500L).runnableInformer(0);
    informer.start().toCompletableFuture().get(Bench.LONG.toSeconds(), TimeUnit.SECONDS);
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
    ResultTable.row(
        "heap held per cached pod",
        String.format("%,d B", slimPerPod),
        String.format("%,d B (whole Pods)", fullPerPod),
        ResultTable.ratio((double) slimPerPod / fullPerPod),
        "< 2 KiB",
        ResultTable.met(slimPerPod < 2048));
  }
}
