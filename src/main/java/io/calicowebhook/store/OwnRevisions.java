package io.calicowebhook.store;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The etcd revisions of the service's own recent transactions, so that a watch on the keys it
 * writes can tell its own changes from someone else's. Holds at most {@link #CAPACITY} revisions,
 * forgetting the oldest: a change it forgot is only handled once more, never missed.
 */
public final class OwnRevisions {
  static final int CAPACITY = 65_536;

  private final Map<Long, Boolean> revisions =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
          return size() > CAPACITY;
        }
      };

  private long newest;

  /** Remembers that a transaction of the service committed at {@code revision}. */
  public synchronized void add(long revision) {
    revisions.put(revision, Boolean.TRUE);
    newest = Math.max(newest, revision);
  }

  /** The revision of the newest transaction the service committed; 0 before the first. */
  public synchronized long newest() {
    return newest;
  }

  /** Whether the service itself committed {@code revision} (as far as it remembers). */
  public synchronized boolean contains(long revision) {
    return revisions.containsKey(revision);
  }
}
