package io.calicowebhook.store;

import io.calicowebhook.etcd.EtcdKeys;
import io.calicowebhook.store.StoredProfile.StoredKey;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What to do with one profile, decided from the operation and the stored values. Pure: the store
 * turns it into transaction operations.
 *
 * <p>For a {@link ProfileOp.Put}:
 *
 * <ul>
 *   <li>no ownership record and no profile keys: create it, guarded on every key still being absent
 *       (mod revision 0);
 *   <li>no ownership record but a profile key: someone else's profile, {@link WriteResult#FOREIGN};
 *   <li>an ownership record naming another pod uid (the pod was deleted and created again under the
 *       same name): write every key afresh for the new pod, {@link WriteResult#CREATED};
 *   <li>an ownership record of this pod: put the keys that differ, guarded on every key's mod
 *       revision as read; none differ: {@link WriteResult#UNCHANGED}.
 * </ul>
 *
 * <p>For a {@link ProfileOp.Remove}: with an ownership record (naming the pod uid the remove
 * expects, when it expects one), delete every key of the profile and the record; without one, or
 * naming another pod, {@link WriteResult#ABSENT} (a profile there is someone else's, or another
 * pod's, and stays).
 *
 * <p>Every decision, a write or not, is guarded on the mod revisions it was made from (all three
 * keys for a put, the ownership record for a remove), so that a decision made from a remembered
 * state ({@link KnownProfiles}) is checked by etcd before it counts.
 *
 * @param puts key to value, only the keys that change
 * @param removeDir whether the profile's keys and its ownership record are deleted
 * @param guards key to the mod revision it must still have for the decision to hold
 */
record ProfileChange(
    WriteResult result, Map<String, String> puts, boolean removeDir, Map<String, Long> guards) {

  private static ProfileChange none(WriteResult result, Map<String, Long> guards) {
    return new ProfileChange(result, Map.of(), false, guards);
  }

  /** Whether the change writes anything. */
  boolean writes() {
    return removeDir || !puts.isEmpty();
  }

  static ProfileChange decide(ProfileOp op, StoredProfile stored) {
    if (op instanceof ProfileOp.Put put) {
      return decidePut(put.desired(), stored);
    }
    Map<String, Long> guards = Map.of(EtcdKeys.owner(op.id()), stored.owner().modRevision());
    return stored.owner().exists() && ownedBy(stored, ((ProfileOp.Remove) op).ownerUid())
        ? new ProfileChange(WriteResult.DELETED, Map.of(), true, guards)
        : none(WriteResult.ABSENT, guards);
  }

  /** Whether the ownership record names {@code uid}; any record does when {@code uid} is null. */
  private static boolean ownedBy(StoredProfile stored, String uid) {
    return uid == null
        || Owner.parse(stored.owner().value()).map(Owner::uid).filter(uid::equals).isPresent();
  }

  private static Map<String, Long> guards(String id, StoredProfile stored) {
    return Map.of(
        EtcdKeys.rules(id), stored.rules().modRevision(),
        EtcdKeys.tags(id), stored.tags().modRevision(),
        EtcdKeys.owner(id), stored.owner().modRevision());
  }

  private static ProfileChange decidePut(DesiredProfile desired, StoredProfile stored) {
    if (!stored.owner().exists()) {
      return stored.rules().exists() || stored.tags().exists()
          ? none(WriteResult.FOREIGN, guards(desired.id(), stored))
          : write(WriteResult.CREATED, desired, stored, false);
    }
    Optional<Owner> owner = Owner.parse(stored.owner().value());
    if (owner.isPresent() && !owner.get().uid().equals(desired.owner().uid())) {
      return write(WriteResult.CREATED, desired, stored, true);
    }
    ProfileChange update = write(WriteResult.UPDATED, desired, stored, false);
    return update.puts().isEmpty() ? none(WriteResult.UNCHANGED, update.guards()) : update;
  }

  private static ProfileChange write(
      WriteResult result, DesiredProfile desired, StoredProfile stored, boolean afresh) {
    String id = desired.id();
    Map<String, String> puts = new LinkedHashMap<>();
    putIfDifferent(puts, EtcdKeys.rules(id), desired.rulesJson(), stored.rules(), afresh);
    putIfDifferent(puts, EtcdKeys.tags(id), desired.tagsJson(), stored.tags(), afresh);
    boolean ownerDiffers =
        afresh
            || !stored.owner().exists()
            || !Owner.parse(stored.owner().value()).filter(desired.owner()::equals).isPresent();
    if (ownerDiffers) {
      puts.put(EtcdKeys.owner(id), desired.ownerJson());
    }
    return new ProfileChange(result, Collections.unmodifiableMap(puts), false, guards(id, stored));
  }

  private static void putIfDifferent(
      Map<String, String> puts, String key, String desired, StoredKey stored, boolean always) {
    if (always || !stored.holds(desired)) {
      puts.put(key, desired);
    }
  }
}
