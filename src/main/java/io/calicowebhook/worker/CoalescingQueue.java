package io.calicowebhook.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A work queue with at most one pending entry per key. A key taken for work is "in flight" until
 * {@link #done} or {@link #retry}; offered again meanwhile, it is queued again once the work ends,
 * never handed out twice at once. So the newest state of a key is always worked on after any older
 * one, and memory is bounded by the number of distinct keys.
 *
 * <p>Each entry carries the time its key was first offered while not yet taken, for the
 * admission-to-programmed latency.
 */
public final class CoalescingQueue<K> {
  private final Map<K, Long> pending = new LinkedHashMap<>();
  private final Set<K> inFlight = new HashSet<>();
  private final Map<K, Long> dirty = new HashMap<>();

  /** A key handed out for work, with the time ({@link System#nanoTime()}) it was first offered. */
  public record Entry<K>(K key, long since) {}

  /** Queues {@code key}, unless it is already pending; never blocks for long. */
  public synchronized void offer(K key) {
    long now = System.nanoTime();
    if (inFlight.contains(key)) {
      dirty.putIfAbsent(key, now);
    } else {
      pending.putIfAbsent(key, now);
    }
    notifyAll();
  }

  /**
   * Takes up to {@code max} pending keys in the order they were queued, waiting up to {@code wait}
   * for the first; they are in flight until {@link #done} or {@link #retry}.
   */
  public synchronized List<Entry<K>> take(int max, Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (pending.isEmpty()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return List.of();
      }
      waitNanos(left);
    }
    List<Entry<K>> taken = new ArrayList<>();
    Iterator<Map.Entry<K, Long>> it = pending.entrySet().iterator();
    while (it.hasNext() && taken.size() < max) {
      Map.Entry<K, Long> next = it.next();
      it.remove();
      inFlight.add(next.getKey());
      taken.add(new Entry<>(next.getKey(), next.getValue()));
    }
    return taken;
  }

  /** The work on {@code key} is finished; an offer that came meanwhile is queued now. */
  public synchronized void done(K key) {
    inFlight.remove(key);
    Long since = dirty.remove(key);
    if (since != null) {
      pending.putIfAbsent(key, since);
    }
    notifyAll();
  }

  /** The work on {@code entry} failed: its key is queued again, keeping its earliest time. */
  public synchronized void retry(Entry<K> entry) {
    inFlight.remove(entry.key());
    Long newer = dirty.remove(entry.key());
    long since = newer == null ? entry.since() : Math.min(newer, entry.since());
    pending.merge(entry.key(), since, Math::min);
    notifyAll();
  }

  /**
   * Forgets every pending key and every offer made while in flight; keys in flight stay so until
   * {@link #done} or {@link #retry}.
   */
  public synchronized void clear() {
    pending.clear();
    dirty.clear();
    notifyAll();
  }

  /** Keys pending or in flight (a key is never both). */
  public synchronized int size() {
    return pending.size() + inFlight.size();
  }

  /** Waits until no key is pending or in flight; false when {@code timeout} passed first. */
  public synchronized boolean awaitEmpty(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!pending.isEmpty() || !inFlight.isEmpty()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      waitNanos(left);
    }
    return true;
  }

  private void waitNanos(long nanos) throws InterruptedException {
    wait(Math.max(1, nanos / 1_000_000), 0);
  }
}
