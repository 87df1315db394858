package io.calicowebhook.reconciler;

import io.calicowebhook.pod.PodKey;
import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.pod.PolicyAnnotations;
import io.calicowebhook.worker.Daemons;
import io.calicowebhook.worker.PodState;
import io.calicowebhook.worker.PodStateSource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

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
 *
 * <p>"Gone" needs proof, since a gone pod's profile is deleted and a wrongly deleted profile cuts a
 * healthy pod's traffic: a deletion the watch delivered (its uid remembered, so that only that
 * pod's profile is deleted), or, for a pod the cache merely lacks, a live read of the API server
 * that finds no such pod, and only while the cache is fresh. Fresh means watching, and an event or
 * a bookmark heard within {@code staleAfter}; a watch silent for longer is taken for dead (a
 * connection can die without an error) and the cache is listed and watched anew.
 */
public final class PodCache implements PodStateSource, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(PodCache.class);

  /** Deleted pods whose profiles are not deleted yet, remembered with their uid at the most. */
  static final int MAX_TOMBSTONES = 20_000;

  private final KubernetesClient client;
  private final KubernetesClient slimClient;
  private final int pageSize;
  private final Duration staleAfter;
  private final SlimPodStore store = new SlimPodStore();
  private final Map<PodKey, String> tombstones = tombstoneMap();
  private final ScheduledExecutorService checker =
      Executors.newSingleThreadScheduledExecutor(Daemons.named("pod-watch-check"));
  private final AtomicLong restarts = new AtomicLong();
  private volatile SharedIndexInformer<SlimPod> informer;
  private volatile Consumer<PodKey> listener = key -> {};
  private volatile long heardAt = System.nanoTime();
  private volatile String heardVersion;
  private volatile boolean closed;

  /**
   * @param pageSize pods per page of a list request
   * @param staleAfter how long the watch may stay silent before it counts as dead
   */
  public PodCache(KubernetesClient client, int pageSize, Duration staleAfter) {
    this.client = client;
    this.slimClient = slimClient(client);
    this.pageSize = pageSize;
    this.staleAfter = staleAfter;
    this.informer = informer();
  }

  private SharedIndexInformer<SlimPod> informer() {
    SharedIndexInformer<SlimPod> made =
        slimClient
            .resources(SlimPod.class, SlimPodList.class)
            .inAnyNamespace()
            .withLimit((long) pageSize)
            .runnableInformer(0);
    made.itemStore(store);
    made.removeNamespaceIndex();
    made.exceptionHandler((started, error) -> true); // never give up: re-list with backoff
    made.addEventHandler(new Changes());
    return made;
  }

  private static Map<PodKey, String> tombstoneMap() {
    return java.util.Collections.synchronizedMap(
        new LinkedHashMap<>(16, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<PodKey, String> eldest) {
            return size() > MAX_TOMBSTONES; // the oldest then needs a live read as proof
          }
        });
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
    heard();
    long check = Math.max(100, Math.min(1000, staleAfter.toMillis() / 4));
    checker.scheduleWithFixedDelay(this::checkWatch, check, check, TimeUnit.MILLISECONDS);
    return informer.start();
  }

  /** Whether the current listing is complete in the cache. */
  public boolean synced() {
    return informer.hasSynced();
  }

  /**
   * Whether the informer currently watches and has been heard from lately (false while it re-lists,
   * the API is away, or the watch fell silent).
   */
  public boolean watching() {
    return informer.isWatching() && !silent();
  }

  /**
   * Whether the cache can be trusted to lack a pod that is gone: listed, watching, and heard from
   * within {@code staleAfter}.
   */
  public boolean fresh() {
    return synced() && watching();
  }

  /**
   * Whether the watch delivered an event or a bookmark (or a listing began anew) since {@code
   * nanoTime}: a cache that has heard nothing since a moment may not yet know what happened before
   * it.
   */
  public boolean heardSince(long nanoTime) {
    return heardAt - nanoTime >= 0;
  }

  /** How often the watch was found silent and the cache listed anew. */
  public long restarts() {
    return restarts.get();
  }

  private boolean silent() {
    return System.nanoTime() - heardAt > staleAfter.toNanos();
  }

  private void heard() {
    heardAt = System.nanoTime();
  }

  /** Notes bookmarks (they move the informer's resource version) and restarts a silent watch. */
  private void checkWatch() {
    try {
      SharedIndexInformer<SlimPod> current = informer;
      String version = current.lastSyncResourceVersion();
      if (version != null && !version.equals(heardVersion)) {
        heardVersion = version;
        heard();
      }
      if (!closed && current.hasSynced() && silent()) {
        restart(current);
      }
    } catch (RuntimeException e) { // NOPMD: the checker must go on
      LOG.warnf("pod watch check failed: %s", e.toString());
    }
  }

  private synchronized void restart(SharedIndexInformer<SlimPod> silentOne) {
    if (closed || informer != silentOne) {
      return;
    }
    LOG.warnf(
        "the pod watch delivered no event and no bookmark for %s: listing and watching anew;"
            + " meanwhile no profile is deleted for a pod the cache lacks",
        staleAfter);
    restarts.incrementAndGet();
    silentOne.stop();
    SharedIndexInformer<SlimPod> fresh = informer();
    informer = fresh;
    heard();
    fresh.start();
  }

  /**
   * Present as soon as the pod has been listed or watched; gone when the watch delivered its
   * deletion, or when the cache is fresh and the API server confirms that no such pod exists; not
   * known otherwise (before the first listing, or without proof).
   */
  @Override
  public PodState state(PodKey key) {
    PodMeta pod = store.meta(key.namespace() + "/" + key.name());
    if (pod != null) {
      return new PodState.Present(pod);
    }
    if (!synced()) {
      return PodState.UNKNOWN;
    }
    String uid = tombstones.get(key);
    if (uid != null) {
      return new PodState.Gone(uid);
    }
    return fresh() ? confirm(key) : PodState.UNKNOWN;
  }

  @Override
  public void removed(PodKey key) {
    tombstones.remove(key);
  }

  /**
   * A live read of a pod the cache lacks: gone when the API server has no such pod; when it has one
   * the cache is behind, and nothing is known until the watch brings it.
   */
  private PodState confirm(PodKey key) {
    try {
      Pod live = client.pods().inNamespace(key.namespace()).withName(key.name()).get();
      if (live == null) {
        return PodState.GONE;
      }
      LOG.debugf("pod %s exists although the cache lacks it: its profile stays", key);
      return PodState.UNKNOWN;
    } catch (KubernetesClientException e) {
      LOG.debugf("pod %s: cannot confirm it is gone (%s): its profile stays", key, e.getMessage());
      return PodState.UNKNOWN;
    }
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
    closed = true;
    checker.shutdownNow();
    synchronized (this) {
      informer.stop();
    }
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
      heard();
      PodKey key = keyOf(pod);
      tombstones.remove(key);
      listener.accept(key);
    }

    @Override
    public void onUpdate(SlimPod before, SlimPod after) {
      heard();
      if (!slim(before).equals(slim(after))) {
        listener.accept(keyOf(after));
      }
    }

    @Override
    public void onDelete(SlimPod pod, boolean finalStateUnknown) {
      heard();
      PodKey key = keyOf(pod);
      tombstones.put(key, Objects.requireNonNullElse(pod.getMetadata().getUid(), ""));
      listener.accept(key);
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
