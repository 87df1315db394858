import io.calicowebhook.etcd.EtcdKeys;
import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.profile.Escaping;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/** Phase 4: label changes of a share of the pods through the API, and etcd's convergence. */
final class LabelChanges {
  private static final String CHANGED_LABEL = "track";
  private static final String CHANGED_VALUE = "canary";

  private LabelChanges() {}

  /**
   * Changes one label of {@code count} pods through the API (JSON merge patches, 8 at a time) and
   * times etcd's convergence: overall, and per pod from its patch's answer to its new tags in etcd.
   */
  static void run(KubernetesClient kubernetes, Replica service, List<PodMeta> pods, int count)
      throws Exception {
    int step = Math.max(1, pods.size() / count);
    List<PodMeta> targets = IntStream.range(0, count).mapToObj(i -> pods.get(i * step)).toList();
    Convergence convergence = new Convergence(targets);
    double writes = service.writes();
    try (Watch.Watcher watcher = convergence.watch(service.client())) {
      long start = System.nanoTime();
      patchAll(kubernetes, targets, convergence.patched);
      long sent = System.nanoTime();
      Bench.require(
          convergence.done.await(Bench.LONG.toSeconds(), TimeUnit.SECONDS),
          "etcd did not converge");
      long done = System.nanoTime();
      Bench.awaitAt(() -> service.sync().worker().pending() == 0, Duration.ofMillis(20));
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
      ResultTable.row(
          String.format("%,d label changes: first patch to converged", count),
          String.format("%.2f s", (done - start) / 1e9),
          "",
          "",
          "converges",
          ResultTable.met(true));
      ResultTable.row(
          "  of which: patching through the mock API",
          String.format("%.2f s", (sent - start) / 1e9),
          "",
          "",
          "",
          "");
      ResultTable.row(
          "  of which: last patch to converged",
          String.format("%.2f s", (done - sent) / 1e9),
          "",
          "",
          "",
          "");
      ResultTable.row(
          "  per pod, patch answered to etcd (p50/p99/max)",
          String.format(
              "%d / %d / %d ms",
              lags[lags.length / 2], lags[lags.length * 99 / 100], lags[lags.length - 1]),
          "",
          "",
          "",
          "");
      ResultTable.row(
          "  profiles written for them",
          String.format("%.0f", wrote),
          "",
          "",
          String.valueOf(count),
          ResultTable.met(wrote == count));
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
      ByteSequence prefix = Bench.bytes(EtcdKeys.PROFILE_PREFIX);
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
}
