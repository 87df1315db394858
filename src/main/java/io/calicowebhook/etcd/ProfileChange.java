package io.calicowebhook.etcd;

import io.calicowebhook.etcd.StoredProfile.StoredKey;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What to do with one profile, decided from its desired and stored values. Pure: the store turns it
 * into transaction operations.
 *
 * <ul>
 *   <li>no ownership record and no profile keys: create it, guarded on every key still being absent
 *       (mod revision 0);
 *   <li>no ownership record but a profile key: someone else's profile, {@link WriteResult#FOREIGN};
 *   <li>ownership record: put the keys that differ, guarded on every key's mod revision as read.
 * </ul>
 *
 * @param puts key to value, only the keys that change
 * @param guards key to the mod revision it must still have for the puts to apply
 */
record ProfileChange(WriteResult result, Map<String, String> puts, Map<String, Long> guards) {

  static ProfileChange decide(DesiredProfile desired, StoredProfile stored) {
    if (!stored.owner().exists()) {
      return stored.rules().exists() || stored.tags().exists()
          ? new ProfileChange(WriteResult.FOREIGN, Map.of(), Map.of())
          : change(WriteResult.CREATED, desired, stored);
    }
    ProfileChange update = change(WriteResult.UPDATED, desired, stored);
    return update.puts().isEmpty()
        ? new ProfileChange(WriteResult.UNCHANGED, Map.of(), Map.of())
        : update;
  }

  private static ProfileChange change(
      WriteResult result, DesiredProfile desired, StoredProfile stored) {
    String id = desired.id();
    Map<String, String> puts = new LinkedHashMap<>();
    putIfDifferent(puts, EtcdKeys.rules(id), desired.rulesJson(), stored.rules());
    putIfDifferent(puts, EtcdKeys.tags(id), desired.tagsJson(), stored.tags());
    boolean ownerDiffers =
        !stored.owner().exists()
            || !Owner.parse(stored.owner().value()).filter(desired.owner()::equals).isPresent();
    if (ownerDiffers) {
      puts.put(EtcdKeys.owner(id), desired.owner().toJson());
    }
    Map<String, Long> guards =
        Map.of(
            EtcdKeys.rules(id), stored.rules().modRevision(),
            EtcdKeys.tags(id), stored.tags().modRevision(),
            EtcdKeys.owner(id), stored.owner().modRevision());
    return new ProfileChange(result, Collections.unmodifiableMap(puts), guards);
  }

  private static void putIfDifferent(
      Map<String, String> puts, String key, String desired, StoredKey stored) {
    if (!stored.holds(desired)) {
      puts.put(key, desired);
    }
  }
}
