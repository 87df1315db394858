package io.calicowebhook.reconciler;

import io.calicowebhook.pod.PodKey;
import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.pod.PolicyAnnotations;
import io.calicowebhook.worker.PodState;
import io.calicowebhook.worker.PodStateSource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The Kubernetes API's view of every pod in every namespace: a fabric8 informer whose store keeps
 * per pod only what a profile needs (namespace, name, uid, resourceVersion, labels, the two policy
 * annotations, {@code hostNetwork}), never whole Pod objects with their {@code managedFields} and
 * {@code last-applied-configuration}. Lists in pages; re-lists and re-watches on its own, with
 * backoff, after API server restarts, expired watches (410 Gone) and network errors.
 *
 * <p>Pods are read as {@link SlimPod}s: what a profile does not need ({@code managedFields}, the
 * spec but {@code hostNetwork}, the status) is skipped while the JSON is read, never built.
 *
 * <p>It answers the worker with the three states: present (listed or watched, even while the first
 * listing is still coming in page by page, so that those pods are programmed meanwhile), gone
 * (after the first full listing, no such pod) and not known (before it). It names every pod whose
 * profile-relevant state changed to its listener; updates that change nothing a profile depends on
 * (status, most of them) are passed over.
 */
public final class PodCache implements PodStateSource, AutoCloseable {
  private final KubernetesClient slimClient;
  private final SharedIndexInformer<SlimPod> informer;
  private final SlimPodStore store = new SlimPodStore();
  private volatile Consumer<PodKey> listener = key -> {};

  /**
   * @param pageSize pods per page of a list request
   */
  public PodCache(KubernetesClient client, int pageSize) {
    this.slimClient = slimClient(client);
    this.informer =
        slimClient
            .resources(SlimPod.class, SlimPodList.class)
            .inAnyNamespace()
            .withLimit((long) pageSize)
            .runnableInformer(0);
    informer.itemStore(store);
    informer.removeNamespaceIndex();
    informer.exceptionHandler((started, error) -> true); // never give up: re-list with backoff
    informer.addEventHandler(new Changes());
  }

  /**
   * A client like {@code client} whose reading of Pods in watch events makes {@link SlimPod}s too,
   * so that the informer never builds whole Pods.
   */
  private static KubernetesClient slimClient(KubernetesClient client) {
    KubernetesSerialization serialization = new KubernetesSerialization();
    serialization.registerKubernetesResource(SlimPod.class);
    return new KubernetesClientBuilder()
        .withConfig(client.getConfiguration())
        .withKubernetesSerialization(serialization)
        .build();
  }

  /** Names every pod whose profile-relevant state changes from now on to {@code listener}. */
  public void onChange(Consumer<PodKey> listener) {
    this.listener = listener;
  }

  /** Starts listing and watching; completes once the first listing is in the cache. */
  public CompletionStage<Void> start() {
    return informer.start();
  }

  /** Whether the first full listing is in the cache. */
  public boolean synced() {
    return informer.hasSynced();
  }

  /** Whether the informer currently watches (false while it re-lists or the API is away). */
  public boolean watching() {
    return informer.isWatching();
  }

  /**
   * Present as soon as the pod has been listed or watched; gone only once the first full listing is
   * in and the pod is not in it; before that, not known.
   */
  @Override
  public PodState state(PodKey key) {
    PodMeta pod = store.meta(key.namespace() + "/" + key.name());
    if (pod != null) {
      return new PodState.Present(pod);
    }
    return synced() ? PodState.GONE : PodState.UNKNOWN;
  }

  /** Every cached pod now. */
  public List<PodMeta> snapshot() {
    return store.metas().toList();
  }

  /** Pods in the cache. */
  public int size() {
    return store.size();
  }

  @Override
  public void close() {
    informer.stop();
    slimClient.close();
  }

  /** What a profile needs of {@code pod}; strings that repeat across pods are shared. */
  static PodMeta slim(SlimPod pod) {
    ObjectMeta meta = pod.getMetadata();
    boolean hostNetwork = pod.hostNetwork();
    return new PodMeta(
        intern(meta.getNamespace()),
        meta.getName(),
        meta.getUid(),
        interned(meta.getLabels()),
        policyAnnotations(meta.getAnnotations()),
        hostNetwork);
  }

  private static Map<String, String> interned(Map<String, String> labels) {
    if (labels == null || labels.isEmpty()) {
      return Map.of();
    }
    Map<String, String> shared = new HashMap<>(labels.size() * 2);
    labels.forEach((key, value) -> shared.put(intern(key), intern(value)));
    return shared;
  }

  private static Map<String, String> policyAnnotations(Map<String, String> annotations) {
    if (annotations == null) {
      return Map.of();
    }
    Map<String, String> policy = new HashMap<>(4);
    copy(annotations, PolicyAnnotations.KEY, policy);
    copy(annotations, PolicyAnnotations.LEGACY_KEY, policy);
    return policy;
  }

  private static void copy(Map<String, String> from, String key, Map<String, String> to) {
    String value = from.get(key);
    if (value != null) {
      to.put(key, value); // the key is a shared constant
    }
  }

  private static String intern(String text) {
    return text == null ? null : text.intern();
  }

  /** Informer notifications, reduced to "this pod's profile may have to change". */
  private final class Changes implements ResourceEventHandler<SlimPod> {
    @Override
    public void onAdd(SlimPod pod) {
      listener.accept(keyOf(pod));
    }

    @Override
    public void onUpdate(SlimPod before, SlimPod after) {
      if (!slim(before).equals(slim(after))) {
        listener.accept(keyOf(after));
      }
    }

    @Override
    public void onDelete(SlimPod pod, boolean finalStateUnknown) {
      listener.accept(keyOf(pod));
    }

    private PodKey keyOf(SlimPod pod) {
      return new PodKey(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
    }
  }

  /**
   * The informer's item store: a slim record per pod, turned back into a minimal Pod when the
   * informer asks (it only compares resource versions and hands old states to {@link Changes}).
   */
  static final class SlimPodStore implements ItemStore<SlimPod> {
    private final Map<String, Cached> pods = new ConcurrentHashMap<>();

    /** One pod as kept: what a profile needs, and the version the informer compares. */
    record Cached(String resourceVersion, PodMeta meta) {}

    PodMeta meta(String key) {
      Cached cached = pods.get(key);
      return cached == null ? null : cached.meta();
    }

    Stream<PodMeta> metas() {
      return pods.values().stream().map(Cached::meta);
    }

    @Override
    public String getKey(SlimPod pod) {
      return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    @Override
    public SlimPod put(String key, SlimPod pod) {
      return restore(pods.put(key, new Cached(pod.getMetadata().getResourceVersion(), slim(pod))));
    }

    @Override
    public SlimPod remove(String key) {
      return restore(pods.remove(key));
    }

    @Override
    public Stream<String> keySet() {
      return pods.keySet().stream();
    }

    @Override
    public Stream<SlimPod> values() {
      return pods.values().stream().map(SlimPodStore::restore);
    }

    @Override
    public int size() {
      return pods.size();
    }

    @Override
    public SlimPod get(String key) {
      return restore(pods.get(key));
    }

    /**
     * The informer may hand out the pods of a listing page by page (the pages of {@code pageSize}),
     * so that their profiles are written while the rest is still being listed.
     */
    @Override
    public boolean isFullState() {
      return false;
    }

    private static SlimPod restore(Cached cached) {
      if (cached == null) {
        return null;
      }
      PodMeta meta = cached.meta();
      return new SlimPod(
          new ObjectMetaBuilder()
              .withNamespace(meta.namespace())
              .withName(meta.name())
              .withUid(meta.uid())
              .withResourceVersion(cached.resourceVersion())
              .withLabels(meta.labels())
              .withAnnotations(meta.annotations())
              .build(),
          new SlimPod.Spec(meta.hostNetwork()));
    }
  }
}
