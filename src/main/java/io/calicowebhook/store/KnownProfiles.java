package io.calicowebhook.store;

import io.calicowebhook.etcd.EtcdKeys;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the service last saw in etcd for each profile it wrote or read: the modification revisions
 * and hashes of the rules and tags keys and the ownership record (its value, a few dozen bytes).
 * The store writes optimistically from it, guarded on those revisions, and reads only when a guard
 * fails. A profile not known is assumed absent: the common case of a new pod then takes one
 * transaction, and a wrong guess costs one read. Nothing here is trusted without a guard, so a
 * stale entry is never worse than a read; the drift watch forgets entries that someone else
 * changed. Holds one entry per existing profile the service touched.
 */
public final class KnownProfiles {
  private final Map<String, StoredProfile> profiles = new ConcurrentHashMap<>();

  /** What is known of {@code id}: its last seen state, or absent. */
  StoredProfile view(String id) {
    return profiles.getOrDefault(id, StoredProfile.ABSENT);
  }

  /** Remembers {@code stored} as the state of {@code id}, read from etcd. */
  void read(String id, StoredProfile stored) {
    if (!stored.rules().exists() && !stored.tags().exists() && !stored.owner().exists()) {
      profiles.remove(id);
      return;
    }
    profiles.put(
        id,
        new StoredProfile(
            stored.rules().withoutValue(), stored.tags().withoutValue(), stored.owner()));
  }

  /** Remembers what a committed change at {@code revision} left in etcd. */
  void committed(String id, StoredProfile before, ProfileChange change, long revision) {
    if (change.removeDir()) {
      profiles.remove(id);
      return;
    }
    Map<String, String> puts = change.puts();
    profiles.put(
        id,
        new StoredProfile(
            after(before.rules(), puts.get(EtcdKeys.rules(id)), revision).withoutValue(),
            after(before.tags(), puts.get(EtcdKeys.tags(id)), revision).withoutValue(),
            after(before.owner(), puts.get(EtcdKeys.owner(id)), revision)));
  }

  private static StoredProfile.StoredKey after(
      StoredProfile.StoredKey before, String written, long revision) {
    return written == null ? before : StoredProfile.StoredKey.read(written, revision);
  }

  /** Learns a profile seen by a scan (a resync), so that its next write needs no read. */
  public void learn(ProfileScan.Stored stored) {
    read(
        stored.id(),
        new StoredProfile(
            key(stored.rules(), stored.rulesRevision()),
            key(stored.tags(), stored.tagsRevision()),
            key(stored.ownerJson(), stored.ownerRevision())));
  }

  private static StoredProfile.StoredKey key(String value, long revision) {
    return value == null
        ? StoredProfile.StoredKey.ABSENT
        : StoredProfile.StoredKey.read(value, revision);
  }

  /** Someone else changed {@code id}: its next write starts from a guess again. */
  public void forget(String id) {
    profiles.remove(id);
  }

  /** Profiles known. */
  public int size() {
    return profiles.size();
  }
}
