package io.calicowebhook.store;

import io.calicowebhook.etcd.EtcdKeys;
import io.etcd.jetcd.KeyValue;

/**
 * The profile keys ({@code <PROFILE_PREFIX><id>/rules}, {@code <id>/tags}) grouped by profile id.
 * The keys of one id share the prefix {@code <id>/}, so they are adjacent in key order, and the
 * groups arrive in the order of {@code id + "/"}. Keys that name no profile directory are skipped.
 */
final class ProfileGroups {
  private final KeyPages keys;

  /** The keys of one profile id; null when absent. */
  record Group(String id, KeyValue rules, KeyValue tags) {
    Group with(String leaf, KeyValue kv) {
      return switch (leaf) {
        case "rules" -> new Group(id, kv, tags);
        case "tags" -> new Group(id, rules, kv);
        default -> this;
      };
    }
  }

  ProfileGroups(KeyPages keys) {
    this.keys = keys;
  }

  /**
   * The next profile id's keys; null after the last.
   *
   * @throws IllegalStateException when etcd fails
   */
  Group next() {
    Group group = null;
    for (KeyValue kv = keys.peek(); kv != null; kv = keys.peek()) {
      String rest = KeyPages.keyAfter(EtcdKeys.PROFILE_PREFIX, kv);
      int slash = rest.indexOf('/');
      if (slash > 0) {
        String id = rest.substring(0, slash);
        if (group != null && !group.id().equals(id)) {
          return group; // the next id's first key stays for the next call
        }
        group =
            (group == null ? new Group(id, null, null) : group).with(rest.substring(slash + 1), kv);
      }
      keys.next();
    }
    return group;
  }
}
