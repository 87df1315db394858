package io.calicowebhook.store;

import io.calicowebhook.etcd.EtcdKeys;
import io.calicowebhook.etcd.TxnLimits;

/**
 * What writing a {@link ProfileOp} costs in one etcd transaction: its operations and an estimate of
 * its request bytes that errs on the large side, held against {@link TxnLimits}.
 */
final class TxnCost {
  /** Bytes of protocol framing counted per key besides the key and value themselves. */
  static final int OVERHEAD_PER_KEY = 16;

  private TxnCost() {}

  /** The estimated request bytes of writing {@code op} (keys, values, guards). */
  static int bytes(ProfileOp op) {
    if (op instanceof ProfileOp.Put put) {
      return put.desired().bytes();
    }
    // a prefix delete names the key and its range end; the owner key is deleted and guarded
    String id = op.id();
    return 2 * keyBytes(EtcdKeys.profileDir(id)) + 2 * keyBytes(EtcdKeys.owner(id));
  }

  /** The estimated request bytes of writing these values of profile {@code id}. */
  static int putBytes(String id, String rulesJson, String tagsJson, String ownerJson) {
    // each key twice: once in its put, once in its guard
    return 2 * (keyBytes(EtcdKeys.rules(id)) + keyBytes(EtcdKeys.tags(id)))
        + 2 * keyBytes(EtcdKeys.owner(id))
        + utf8Length(rulesJson)
        + utf8Length(tagsJson)
        + utf8Length(ownerJson);
  }

  /** Operations (and at most as many comparisons) {@code op} needs in one transaction. */
  static int ops(ProfileOp op) {
    return op instanceof ProfileOp.Put ? TxnLimits.PUT_OPS : 2;
  }

  /** Whether {@code op} alone fits in a transaction within {@code limits}. */
  static boolean fits(TxnLimits limits, ProfileOp op) {
    return bytes(op) <= limits.maxBytes();
  }

  private static int keyBytes(String key) {
    return utf8Length(key) + OVERHEAD_PER_KEY;
  }

  /** UTF-8 length without encoding: profile JSON is mostly ASCII but may hold any text. */
  static int utf8Length(String text) {
    int bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
