import io.calicowebhook.pod.PodKey;
import io.calicowebhook.pod.PodMeta;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

/**
 * A KubernetesMockServer whose dispatcher is a KubernetesCrudDispatcher (the CRUD half of the
 * KubernetesMixedDispatcher behind {@code @WithKubernetesTestServer(crud = true)}), kept at hand so
 * that the pods can be put into its store directly, as its POST handler would.
 */
record MockApi(KubernetesMockServer server, KubernetesCrudDispatcher crud, KubernetesClient client)
    implements AutoCloseable {
  static final PodKey SENTINEL = new PodKey("team-00", "bench-sentinel");

  static MockApi start(boolean stockWatches) {
    KubernetesCrudDispatcher crud =
        stockWatches ? new KubernetesCrudDispatcher() : new ApiServerLikeCrud();
    KubernetesMockServer server = server(crud);
    server.init();
    return new MockApi(server, crud, server.createClient());
  }

  /** A mock server (not started) answering with {@code crud}, made as the test server makes it. */
  @SuppressWarnings("deprecation") // the mapper KubernetesMockServerExtension gives it
  static KubernetesMockServer server(KubernetesCrudDispatcher crud) {
    return new KubernetesMockServer(
        new Context(Serialization.jsonMapper()), new MockWebServer(), new HashMap<>(), crud, false);
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
    return new Seeded(pods, total, min, max, withPolicy, Bench.seconds(stored));
  }

  /** What PostHandler does with a new pod, minus the linear search for a duplicate name. */
  private void store(Built pod) {
    String path = "/api/v1/namespaces/" + pod.meta().namespace() + "/pods";
    AttributeSet key =
        crud.getKey(path).add(new Attribute(KubernetesAttributesExtractor.NAME, pod.meta().name()));
    crud.processEvent(path, key, null, pod.resource(), pod.json());
  }

  /**
   * Waits until a watch that just started has caught up: patches the sentinel pod and waits until
   * {@code labels} of it shows the patch. (With the stock watches the mock first sends every stored
   * pod again as ADDED, from one thread per watch; the patch comes after those.)
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
    Bench.awaitAt(
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

  /** What was seeded: each pod as the service sees it, and the JSON sizes. */
  record Seeded(
      List<PodMeta> pods,
      long totalBytes,
      int minBytes,
      int maxBytes,
      int withPolicy,
      double storeSeconds) {}

  /** One generated pod: as the API server stores it, and as the service sees it. */
  record Built(GenericKubernetesResource resource, String json, PodMeta meta, int bytes) {
    static Built of(String json) {
      GenericKubernetesResource resource =
          Serialization.unmarshal(json, GenericKubernetesResource.class);
      return new Built(
          resource, json, PodFactory.meta(resource), json.getBytes(StandardCharsets.UTF_8).length);
    }
  }
}
