import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stock KubernetesCrudDispatcher with three differences, all to behave as the API server does
 * where the stock one would make the measurement one of the mock:
 *
 * <ul>
 *   <li>a list answers {@code limit} and {@code continue} in pages, from a snapshot taken by its
 *       first page. The stock one answers every pod in one response, so the informer (which asks
 *       for pages of 500) had nothing to program until all 127 MB were in;
 *   <li>a new watch sends only what changes after it opened. The stock one first sends every stored
 *       object that matches as ADDED, whatever resourceVersion the watch names, while its store's
 *       read lock is held: with 20,000 pods of 6.6 KiB that took 14 s on the 2-core machine,
 *       blocked every write (Lease renewals included, so the replica lost the lead mid-run), took
 *       CPU from the worker, and queued every later event behind it;
 *   <li>one object is found by namespace and name in an index instead of by scanning the whole
 *       store (a client's PATCH is a GET and a PATCH, and each scanned all 20,000 pods: 34 ms a
 *       patch, and every Lease renewal did the same).
 * </ul>
 *
 * <p>And, as the API server does: a watch from a resourceVersion first gets every change after it
 * (from a history of the last {@link #HISTORY} changes; older: 410 Gone, and the client lists
 * anew), and a watch that asked for them gets a BOOKMARK every minute. Without the replay, a
 * replica that listed while pods churned lost the changes between its list and its watch.
 *
 * <p>Writes, resourceVersions and everything else are the stock dispatcher's.
 */
final class ApiServerLikeCrud extends KubernetesCrudDispatcher {
  /** Lists answer {@code limit} in pages; {@code -Dbench.onePageLists=true}: in one, stock. */
  static final boolean PAGED = !Boolean.getBoolean("bench.onePageLists");

  /** Changes kept for watches that start from a resourceVersion. */
  static final int HISTORY = 100_000;

  private final Set<MockWatch> watchers = ConcurrentHashMap.newKeySet();
  private final java.util.ArrayDeque<Change> history = new java.util.ArrayDeque<>();

  /** One change, kept for the replay: its resourceVersion and what the watchers were sent. */
  private record Change(
      long version,
      AttributeSet oldAttributes,
      AttributeSet newAttributes,
      String existing,
      String newState) {}

  private final Map<String, AttributeSet> byName = new ConcurrentHashMap<>();
  private final Map<String, Listing> listings = new ConcurrentHashMap<>();
  private final java.util.concurrent.locks.Lock writeLock = storeLock().writeLock();

  ApiServerLikeCrud() {
    java.util.concurrent.ScheduledExecutorService bookmarks =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "mock-bookmarks");
              thread.setDaemon(true);
              return thread;
            });
    bookmarks.scheduleWithFixedDelay(this::bookmark, 60, 60, java.util.concurrent.TimeUnit.SECONDS);
  }

  private void bookmark() {
    underWriteLock(
        () -> {
          long version = requestResourceVersion();
          watchers.forEach(watcher -> watcher.bookmark(version));
        });
  }

  /**
   * Runs {@code change} holding the store's write lock, as the stock handlers hold it around {@link
   * #processEvent} (so that events reach every watch in commit order).
   */
  void underWriteLock(Runnable change) {
    writeLock.lock();
    try {
      change.run();
    } finally {
      writeLock.unlock();
    }
  }

  /** The stock dispatcher's private lock, which its handlers take around every change. */
  private java.util.concurrent.locks.ReadWriteLock storeLock() {
    try {
      java.lang.reflect.Field field = KubernetesCrudDispatcher.class.getDeclaredField("lock");
      field.setAccessible(true);
      return (java.util.concurrent.locks.ReadWriteLock) field.get(this);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("the mock server's dispatcher changed", e);
    }
  }

  /** A list request's snapshot, which its later pages are served from. */
  record Listing(List<String> items, long version) {}

  @Override
  public io.fabric8.mockwebserver.http.MockResponse handleWatch(String path) {
    if (path.contains("fieldSelector")) {
      return super.handleWatch(path); // a watch of one object: the stock way
    }
    MockWatch watcher = new MockWatch(getAttributeExtractor().fromPath(path), watchers);
    watcher.bookmarks = "true".equals(queryText(path, "allowWatchBookmarks"));
    // Called under the store's read lock (the stock handleGet takes it): no change can come
    // between the replay and the registration.
    String from = queryText(path, "resourceVersion");
    if (from != null && !from.isEmpty() && !from.equals("0")) {
      replay(watcher, Long.parseLong(from));
    }
    watchers.add(watcher);
    return new io.fabric8.mockwebserver.http.MockResponse().withWebSocketUpgrade(watcher);
  }

  /** Sends {@code watcher} every kept change after {@code version}, or 410 Gone. */
  private void replay(MockWatch watcher, long version) {
    Change oldest = history.peekFirst();
    if (oldest != null && oldest.version() > version + 1 && history.size() >= HISTORY) {
      watcher.send(
          "ERROR",
          "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
              + "\"message\":\"too old resource version\",\"reason\":\"Expired\",\"code\":410}");
      return;
    }
    for (Change change : history) {
      if (change.version() > version) {
        send(watcher, change);
      }
    }
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
      Change change =
          new Change(version(resource), oldAttributes, newAttributes, existing, newState);
      history.addLast(change);
      if (history.size() > HISTORY) {
        history.removeFirst();
      }
      watchers.forEach(watcher -> send(watcher, change));
    }
  }

  /** A change's resourceVersion: the new object's, or a fresh one (a deletion). */
  private long version(GenericKubernetesResource resource) {
    try {
      return Long.parseLong(resource.getMetadata().getResourceVersion());
    } catch (RuntimeException e) { // NOPMD: no resource, or no number in it
      return requestResourceVersion();
    }
  }

  private static void send(MockWatch watcher, Change change) {
    boolean old = change.oldAttributes() != null && change.oldAttributes().matches(watcher.query);
    boolean now = change.newAttributes() != null && change.newAttributes().matches(watcher.query);
    if (old && now) {
      watcher.send("MODIFIED", change.newState());
    } else if (old) {
      watcher.send("DELETED", change.existing());
    } else if (now) {
      watcher.send("ADDED", change.newState());
    }
  }

  @Override
  public void reset() {
    super.reset();
    byName.clear();
    history.clear();
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
