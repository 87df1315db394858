import io.calicowebhook.etcd.EtcdKeys;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything that changes in the service's etcd, seen through one watch of the whole key space from
 * the moment the log starts, with the time each change arrived ({@code System.nanoTime()}): for
 * each profile id the first and last write of its ownership record and its deletion, the number of
 * ownership records, every change of the term record, and when the first profile write after each
 * new term arrived.
 */
final class EtcdLog implements AutoCloseable {
  private final Watch.Watcher watcher;
  private final Map<String, Times> times = new ConcurrentHashMap<>();
  private final List<Deletion> deletions =
      java.util.Collections.synchronizedList(new ArrayList<>());
  private final List<Term> terms = java.util.Collections.synchronizedList(new ArrayList<>());
  final AtomicLong owners = new AtomicLong();
  final AtomicLong profileChanges = new AtomicLong();
  private volatile long lastChangeAt = System.nanoTime();
  private volatile long lastRevision;

  /** When one profile's ownership record was written first and last, and deleted. */
  static final class Times {
    volatile long firstPut;
    volatile long lastPut;
    volatile long deleted;
  }

  /** An ownership record deleted. */
  record Deletion(String id, long at) {}

  /** The term record written by a new leader, and when its first profile write arrived. */
  static final class Term {
    final String value;
    final long revision;
    final long at;
    volatile long firstWrite;

    Term(String value, long revision, long at) {
      this.value = value;
      this.revision = revision;
      this.at = at;
    }
  }

  EtcdLog(Client client) throws Exception {
    ByteSequence all = bytes("/");
    // The count and the revision of one response: the watch begins right after what was counted.
    io.etcd.jetcd.kv.GetResponse counted =
        client
            .getKVClient()
            .get(
                bytes(EtcdKeys.OWNER_PREFIX),
                GetOption.builder().isPrefix(true).withCountOnly(true).build())
            .get(30, TimeUnit.SECONDS);
    long start = counted.getHeader().getRevision();
    owners.set(counted.getCount());
    lastRevision = start;
    watcher =
        client
            .getWatchClient()
            .watch(
                all,
                WatchOption.builder().isPrefix(true).withRevision(start + 1).build(),
                this::take);
  }

  private void take(WatchResponse response) {
    long now = System.nanoTime();
    for (WatchEvent event : response.getEvents()) {
      String key = event.getKeyValue().getKey().toString(StandardCharsets.UTF_8);
      long revision = event.getKeyValue().getModRevision();
      boolean put = event.getEventType() == WatchEvent.EventType.PUT;
      lastRevision = Math.max(lastRevision, revision);
      if (key.equals(EtcdKeys.TERM) && put) {
        terms.add(
            new Term(
                event.getKeyValue().getValue().toString(StandardCharsets.UTF_8), revision, now));
        continue;
      }
      if (key.startsWith(EtcdKeys.OWNER_PREFIX)) {
        owner(key.substring(EtcdKeys.OWNER_PREFIX.length()), put, now);
      } else if (!key.startsWith(EtcdKeys.PROFILE_PREFIX)) {
        continue;
      }
      profileChanges.incrementAndGet();
      lastChangeAt = now;
      firstWriteOfTerm(revision, now);
    }
  }

  private void owner(String id, boolean put, long now) {
    Times time = times.computeIfAbsent(id, k -> new Times());
    if (put) {
      if (time.firstPut == 0) {
        time.firstPut = now;
      }
      if (time.lastPut == 0 || time.deleted != 0) {
        owners.incrementAndGet();
      }
      time.lastPut = now;
      time.deleted = 0;
    } else {
      if (time.deleted == 0) {
        owners.decrementAndGet();
      }
      time.deleted = now;
      deletions.add(new Deletion(id, now));
    }
  }

  private void firstWriteOfTerm(long revision, long now) {
    synchronized (terms) {
      if (!terms.isEmpty()) {
        Term term = terms.get(terms.size() - 1);
        if (term.firstWrite == 0 && revision > term.revision) {
          term.firstWrite = now;
        }
      }
    }
  }

  Times times(String id) {
    return times.get(id);
  }

  List<Deletion> deletions() {
    synchronized (deletions) {
      return List.copyOf(deletions);
    }
  }

  List<Term> terms() {
    synchronized (terms) {
      return List.copyOf(terms);
    }
  }

  /** When the last profile or ownership key changed. */
  long lastChangeAt() {
    return lastChangeAt;
  }

  long lastRevision() {
    return lastRevision;
  }

  @Override
  public void close() {
    watcher.close();
  }

  static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }
}
