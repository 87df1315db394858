package io.calicowebhook.store;

import io.calicowebhook.etcd.EtcdKeys;
import io.etcd.jetcd.KeyValue;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Matches the ownership records ({@code <OWNER_PREFIX><id>}), read page by page, to the profile ids
 * of {@link ProfileGroups}, as a merge join, and visits the records that have no profile keys on
 * their own.
 *
 * <p>The two sides arrive in different orders: the records in the order of {@code id}, the profiles
 * in the order of {@code id + "/"}. The two disagree only when one id is a proper prefix of the
 * other and the next character sorts before {@code '/'} ({@code ns_a-b/} before {@code ns_a/}, but
 * {@code ns_a} before {@code ns_a-b}). So for each profile id {@code P}, every record whose id
 * sorts before {@code P + "/"} is read (the record of {@code P} among them, if any). A record whose
 * {@code id + "/"} sorts before {@code P + "/"} has no profile, since later profiles sort after
 * {@code P + "/"}: it is visited alone, at once or from the pending set where an earlier profile
 * left it; the one equal to it is {@code P}'s; the others wait in the pending set, ordered by
 * {@code id + "/"}. A record left pending sorts before {@code P + "/"} by its id and after it by
 * {@code id + "/"}: its id is a proper prefix of {@code P} followed by a character before {@code
 * '/'}. The pending set therefore holds fewer records than the current profile id has characters,
 * and usually none; besides it, the join holds one page of records.
 */
final class OwnerJoin {
  private final KeyPages records;
  private final Consumer<KeyValue> alone;
  private final TreeMap<String, KeyValue> pending = new TreeMap<>(OwnerJoin::compare);

  /**
   * @param records the ownership records
   * @param alone visits a record that has no profile keys
   */
  OwnerJoin(KeyPages records, Consumer<KeyValue> alone) {
    this.records = records;
    this.alone = alone;
  }

  /**
   * The ownership record of profile {@code id}, or null; first visits the records, read so far,
   * that sort before it and so have no profile. Ids must come in the order of {@code id + "/"}.
   *
   * @throws IllegalStateException when etcd fails
   */
  KeyValue ownerOf(String id) {
    String bound = id + "/";
    readBefore(bound);
    for (Map.Entry<String, KeyValue> first = pending.firstEntry();
        first != null && compare(first.getKey(), bound) < 0;
        first = pending.firstEntry()) {
      alone.accept(pending.pollFirstEntry().getValue());
    }
    return pending.remove(bound);
  }

  /**
   * Reads the records whose ids sort before {@code bound}: visits at once those that have no
   * profile, keeps the others pending.
   */
  private void readBefore(String bound) {
    for (KeyValue next = records.peek();
        next != null && compare(idOf(next), bound) < 0;
        next = records.peek()) {
      records.next();
      String key = idOf(next) + "/";
      if (compare(key, bound) < 0) {
        alone.accept(next);
      } else {
        pending.put(key, next);
      }
    }
  }

  /**
   * Visits every record not matched yet: after the last profile, none has one.
   *
   * @throws IllegalStateException when etcd fails
   */
  void finish() {
    for (Map.Entry<String, KeyValue> first = pending.pollFirstEntry();
        first != null;
        first = pending.pollFirstEntry()) {
      alone.accept(first.getValue());
    }
    for (KeyValue next = records.next(); next != null; next = records.next()) {
      alone.accept(next);
    }
  }

  /** The profile id of an ownership record. */
  static String idOf(KeyValue record) {
    return KeyPages.keyAfter(EtcdKeys.OWNER_PREFIX, record);
  }

  /**
   * Compares as etcd orders keys, by their UTF-8 bytes, which is the order of code points; {@link
   * String#compareTo} compares UTF-16 units, which puts {@code U+E000..U+FFFF} after the surrogate
   * pairs of the code points above them.
   */
  static int compare(String a, String b) {
    int length = Math.min(a.length(), b.length());
    for (int i = 0; i < length; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        return Integer.compare(rank(x), rank(y));
      }
    }
    return Integer.compare(a.length(), b.length());
  }

  /** A UTF-16 unit moved so that units compare as the code points they belong to. */
  private static int rank(char unit) {
    if (Character.isSurrogate(unit)) {
      return unit + 0x2000; // above every unit from U+E000 up
    }
    return unit >= 0xE000 ? unit - 0x800 : unit;
  }
}
