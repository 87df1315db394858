package io.calicowebhook.faults;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Watches every key in etcd (one watch on {@code /}, so that every change arrives in etcd's order)
 * for the whole of a fault test and keeps each change, so that a test can assert what must never
 * happen at any moment, not only in the state it ends with.
 */
public final class EtcdMonitor implements AutoCloseable {
  /** One change: {@code value} is null for a delete. */
  public record Change(String key, String value, long revision) {}

  private final Client client;
  private volatile Watch.Watcher watcher;
  private volatile boolean closed;
  private long lastRevision;
  private final List<Change> changes = new ArrayList<>();
  private final List<Throwable> errors = new ArrayList<>();

  /** Watches from the revision after {@code fromRevision}. */
  public EtcdMonitor(String endpoint, long fromRevision) {
    this.client = Client.builder().endpoints(endpoint).build();
    this.lastRevision = fromRevision;
    watch();
  }

  /**
   * Watches from the revision after the last one seen, so that a watch broken by etcd's death
   * resumes where it stopped once etcd is back.
   */
  private synchronized void watch() {
    if (closed) {
      return;
    }
    WatchOption option =
        WatchOption.builder().isPrefix(true).withRevision(lastRevision + 1).build();
    watcher = client.getWatchClient().watch(bytes("/"), option, this::record, this::failed);
  }

  private synchronized void record(io.etcd.jetcd.watch.WatchResponse response) {
    for (WatchEvent event : response.getEvents()) {
      lastRevision = Math.max(lastRevision, event.getKeyValue().getModRevision());
      String key = event.getKeyValue().getKey().toString(UTF_8);
      long revision = event.getKeyValue().getModRevision();
      if (event.getEventType() == WatchEvent.EventType.DELETE) {
        changes.add(new Change(key, null, revision));
      } else {
        changes.add(new Change(key, event.getKeyValue().getValue().toString(UTF_8), revision));
      }
    }
  }

  private void failed(Throwable error) {
    if (closed) {
      return;
    }
    if (String.valueOf(error.getMessage()).contains("compacted")) {
      synchronized (this) {
        errors.add(error); // changes were lost to compaction: the record would have a hole
      }
      return;
    }
    Watch.Watcher broken = watcher;
    Thread retry =
        new Thread(
            () -> {
              broken.close(); // one watch at a time: the next resumes where this one stopped
              try {
                Thread.sleep(200);
              } catch (InterruptedException e) {
                return;
              }
              watch();
            },
            "etcd-monitor-retry");
    retry.setDaemon(true);
    retry.start();
  }

  /**
   * Every change seen so far, in etcd's order: by revision, each once. (A watch resumed after etcd
   * died may overlap the one it replaces, and their events interleave.)
   */
  public synchronized List<Change> changes() {
    if (!errors.isEmpty()) {
      throw new IllegalStateException("the etcd monitor's watch failed", errors.get(0));
    }
    return changes.stream()
        .distinct()
        .sorted(java.util.Comparator.comparingLong(Change::revision))
        .toList();
  }

  /**
   * Every change that took a protected key away from the value it must keep: a delete, or another
   * value. {@code protectedValues} maps a key to its value.
   */
  public List<Change> violations(Map<String, String> protectedValues) {
    return changes().stream()
        .filter(c -> protectedValues.containsKey(c.key()))
        .filter(c -> !Objects.equals(c.value(), protectedValues.get(c.key())))
        .toList();
  }

  /**
   * Every change of {@code key} to one of {@code values} (or a delete, when null is among them).
   */
  public List<Change> changesTo(String key, Set<String> values) {
    return changes().stream()
        .filter(c -> c.key().equals(key))
        .filter(c -> values.contains(c.value() == null ? "<deleted>" : c.value()))
        .toList();
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, UTF_8);
  }

  @Override
  public void close() {
    closed = true;
    watcher.close();
    client.close();
  }
}
