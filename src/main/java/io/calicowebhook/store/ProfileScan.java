package io.calicowebhook.store;

import static io.calicowebhook.store.KeyPages.revisionOf;
import static io.calicowebhook.store.KeyPages.valueOf;

import io.calicowebhook.etcd.EtcdKeys;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Reads every profile and every ownership record in etcd at one revision, for the reconciler's
 * resync. Both key ranges are read page by page in step, as a merge join ({@link OwnerJoin}), at
 * the revision of the first page, and each profile id is visited as soon as its keys and record are
 * read. Holds one page of profile keys, one page of ownership records and the few records whose
 * profile ids sort after a longer id's (usually none) at a time; a page too large for the client's
 * inbound limit is asked for again in halves.
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
   * as of one etcd revision, each as soon as the scan has read its keys: not after reading them
   * all.
   *
   * @return that revision: a watch from the next one misses nothing the scan did not see
   * @throws IllegalStateException when etcd fails (the scan may be started again)
   */
  public long scan(Consumer<Stored> visitor) {
    Consumer<Stored> each = known == null ? visitor : learnThen(visitor);
    KeyPages profileKeys = new KeyPages(kv, EtcdKeys.PROFILE_PREFIX, 0, pageSize, timeout);
    ProfileGroups profiles = new ProfileGroups(profileKeys);
    ProfileGroups.Group group = profiles.next(); // the first page fixes the revision
    long revision = profileKeys.revision();
    OwnerJoin owners =
        new OwnerJoin(
            new KeyPages(kv, EtcdKeys.OWNER_PREFIX, revision, pageSize, timeout),
            record -> each.accept(alone(record)));
    for (; group != null; group = profiles.next()) {
      KeyValue owner = owners.ownerOf(group.id());
      each.accept(
          new Stored(
              group.id(),
              valueOf(group.rules()),
              revisionOf(group.rules()),
              valueOf(group.tags()),
              revisionOf(group.tags()),
              valueOf(owner),
              revisionOf(owner)));
    }
    owners.finish();
    return revision;
  }

  private Consumer<Stored> learnThen(Consumer<Stored> visitor) {
    Consumer<Stored> learn = known::learn;
    return learn.andThen(visitor);
  }

  /** An ownership record without profile keys. */
  private static Stored alone(KeyValue record) {
    return new Stored(
        OwnerJoin.idOf(record), null, 0, null, 0, valueOf(record), revisionOf(record));
  }
}
