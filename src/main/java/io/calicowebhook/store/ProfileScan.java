package io.calicowebhook.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.calicowebhook.etcd.EtcdErrors;
import io.calicowebhook.etcd.EtcdKeys;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Reads every profile and every ownership record in etcd at one revision, in pages, for the
 * reconciler's resync. Holds at most one page of values and the ownership records (a few dozen
 * bytes each) at a time; a page too large for the client's inbound limit is asked for again in
 * halves.
 */
public final class ProfileScan {
  private final KV kv;
  private final int pageSize;
  private final Duration timeout;
  private final KnownProfiles known;

  /**
   * One profile id as stored: its rules and tags values and ownership record (null when absent),
   * each with its mod revision (0 when absent).
   */
  public record Stored(
      String id,
      String rules,
      long rulesRevision,
      String tags,
      long tagsRevision,
      String ownerJson,
      long ownerRevision) {
    /** Whether the service owns the profile (its ownership record exists). */
    public boolean owned() {
      return ownerJson != null;
    }
  }

  /**
   * @param pageSize keys asked for per range request
   * @param timeout how long one page may take
   */
  public ProfileScan(KV kv, int pageSize, Duration timeout) {
    this(kv, pageSize, timeout, null);
  }

  /**
   * @param known learns every profile the scan sees, so that writes after a resync need no read
   */
  public ProfileScan(KV kv, int pageSize, Duration timeout, KnownProfiles known) {
    this.kv = kv;
    this.pageSize = pageSize;
    this.timeout = timeout;
    this.known = known;
  }

  /**
   * Calls {@code visitor} once for every profile id that has profile keys or an ownership record,
   * as of one etcd revision.
   *
   * @return that revision: a watch from the next one misses nothing the scan did not see
   * @throws IllegalStateException when etcd fails (the scan may be started again)
   */
  public long scan(Consumer<Stored> visitor) {
    Map<String, KeyValue> owners = new HashMap<>();
    long revision =
        readAll(
            EtcdKeys.OWNER_PREFIX,
            0,
            kv -> owners.put(key(kv).substring(EtcdKeys.OWNER_PREFIX.length()), kv));
    Consumer<Stored> each = known == null ? visitor : known::learn;
    if (known != null) {
      each = each.andThen(visitor);
    }
    ProfileAssembler profiles = new ProfileAssembler(owners, each);
    readAll(EtcdKeys.PROFILE_PREFIX, revision, profiles::add);
    profiles.finish();
    for (Map.Entry<String, KeyValue> owner : owners.entrySet()) {
      each.accept(
          new Stored(
              owner.getKey(),
              null,
              0,
              null,
              0,
              value(owner.getValue()),
              owner.getValue().getModRevision()));
    }
    return revision;
  }

  /** Reads every key under {@code prefix} at {@code revision} (0: now); returns the revision. */
  private long readAll(String prefix, long revision, Consumer<KeyValue> each) {
    ByteSequence end = bytes(prefixEnd(prefix));
    ByteSequence from = bytes(prefix);
    long at = revision;
    int limit = pageSize;
    while (true) {
      GetOption option =
          GetOption.builder().withRange(end).withLimit(limit).withRevision(at).build();
      GetResponse page;
      try {
        page = get(from, option);
      } catch (IllegalStateException e) {
        if (limit > 1 && EtcdErrors.isTooLarge(e)) {
          limit = Math.max(1, limit / 2);
          continue;
        }
        throw e;
      }
      at = at == 0 ? page.getHeader().getRevision() : at;
      page.getKvs().forEach(each);
      if (!page.isMore() || page.getKvs().isEmpty()) {
        return at;
      }
      from = bytes(key(page.getKvs().get(page.getKvs().size() - 1)) + "\0");
    }
  }

  private GetResponse get(ByteSequence from, GetOption option) {
    try {
      return kv.get(from, option).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("etcd range read failed: " + EtcdErrors.describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading etcd", e);
    }
  }

  /** Groups the keys of one profile directory, which arrive one after the other. */
  private static final class ProfileAssembler {
    private final Map<String, KeyValue> owners;
    private final Consumer<Stored> visitor;
    private String id;
    private KeyValue rules;
    private KeyValue tags;

    ProfileAssembler(Map<String, KeyValue> owners, Consumer<Stored> visitor) {
      this.owners = owners;
      this.visitor = visitor;
    }

    void add(KeyValue kv) {
      String rest = key(kv).substring(EtcdKeys.PROFILE_PREFIX.length());
      int slash = rest.indexOf('/');
      if (slash <= 0) {
        return; // not a profile directory key
      }
      String keyId = rest.substring(0, slash);
      if (!keyId.equals(id)) {
        finish();
        id = keyId;
      }
      String leaf = rest.substring(slash + 1);
      if ("rules".equals(leaf)) {
        rules = kv;
      } else if ("tags".equals(leaf)) {
        tags = kv;
      }
    }

    void finish() {
      if (id != null) {
        KeyValue owner = owners.remove(id);
        visitor.accept(
            new Stored(
                id,
                valueOf(rules),
                revisionOf(rules),
                valueOf(tags),
                revisionOf(tags),
                valueOf(owner),
                revisionOf(owner)));
      }
      id = null;
      rules = null;
      tags = null;
    }
  }

  /** The smallest key after every key starting with {@code prefix} (its last byte plus one). */
  static String prefixEnd(String prefix) {
    char last = prefix.charAt(prefix.length() - 1);
    return prefix.substring(0, prefix.length() - 1) + (char) (last + 1);
  }

  private static String valueOf(KeyValue kv) {
    return kv == null ? null : value(kv);
  }

  private static long revisionOf(KeyValue kv) {
    return kv == null ? 0 : kv.getModRevision();
  }

  private static String key(KeyValue kv) {
    return kv.getKey().toString(UTF_8);
  }

  private static String value(KeyValue kv) {
    return kv.getValue().toString(UTF_8);
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, UTF_8);
  }
}
