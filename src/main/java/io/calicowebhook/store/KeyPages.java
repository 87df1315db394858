package io.calicowebhook.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.calicowebhook.etcd.EtcdErrors;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The keys under one prefix in etcd's key order (their bytes), at one revision, read a page at a
 * time as they are taken: holds one page. A page too large for the client's inbound limit is asked
 * for again in halves, and later pages keep the smaller size.
 */
final class KeyPages {
  private static final ByteSequence ZERO = ByteSequence.from(new byte[] {0});

  private final KV kv;
  private final ByteSequence end;
  private final Duration timeout;
  private ByteSequence from;
  private long revision;
  private int limit;
  private List<KeyValue> page = List.of();
  private int index;
  private boolean more = true;

  /**
   * @param revision the revision to read at; 0: the first page's, which {@link #revision()} then
   *     tells
   * @param pageSize keys asked for per range request
   * @param timeout how long one page may take
   */
  KeyPages(KV kv, String prefix, long revision, int pageSize, Duration timeout) {
    this.kv = kv;
    this.from = ByteSequence.from(prefix, UTF_8);
    this.end = ByteSequence.from(prefixEnd(prefix), UTF_8);
    this.revision = revision;
    this.limit = pageSize;
    this.timeout = timeout;
  }

  /**
   * The next key, not taken; null after the last.
   *
   * @throws IllegalStateException when etcd fails
   */
  KeyValue peek() {
    if (index == page.size() && more) {
      fetch();
    }
    return index < page.size() ? page.get(index) : null;
  }

  /**
   * Takes the next key; null after the last.
   *
   * @throws IllegalStateException when etcd fails
   */
  KeyValue next() {
    KeyValue next = peek();
    if (next != null) {
      index++;
    }
    return next;
  }

  /** The revision read at: 0 until the first page when none was given. */
  long revision() {
    return revision;
  }

  private void fetch() {
    GetResponse response = read();
    revision = revision == 0 ? response.getHeader().getRevision() : revision;
    page = response.getKvs();
    index = 0;
    more = response.isMore() && !page.isEmpty();
    if (more) {
      from = page.get(page.size() - 1).getKey().concat(ZERO); // the next key after the last
    }
  }

  private GetResponse read() {
    while (true) {
      GetOption option =
          GetOption.builder().withRange(end).withLimit(limit).withRevision(revision).build();
      try {
        return get(option);
      } catch (IllegalStateException e) {
        if (limit <= 1 || !EtcdErrors.isTooLarge(e)) {
          throw e;
        }
        limit = Math.max(1, limit / 2);
      }
    }
  }

  private GetResponse get(GetOption option) {
    try {
      return kv.get(from, option).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("etcd range read failed: " + EtcdErrors.describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading etcd", e);
    }
  }

  /** The smallest key after every key starting with {@code prefix} (its last byte plus one). */
  static String prefixEnd(String prefix) {
    char last = prefix.charAt(prefix.length() - 1);
    return prefix.substring(0, prefix.length() - 1) + (char) (last + 1);
  }

  /** What follows {@code prefix} in the key of {@code kv}. */
  static String keyAfter(String prefix, KeyValue kv) {
    return kv.getKey().toString(UTF_8).substring(prefix.length());
  }

  /** The value of {@code kv}; null for null. */
  static String valueOf(KeyValue kv) {
    return kv == null ? null : kv.getValue().toString(UTF_8);
  }

  /** The mod revision of {@code kv}; 0 for null. */
  static long revisionOf(KeyValue kv) {
    return kv == null ? 0 : kv.getModRevision();
  }
}
