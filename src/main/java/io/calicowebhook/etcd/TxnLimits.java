package io.calicowebhook.etcd;

/**
 * How much one etcd transaction may hold: etcd refuses more than {@code --max-txn-ops} operations
 * (and as many comparisons) and requests over {@code --max-request-bytes}. Groups of {@link
 * ProfileOp}s are cut to stay within both, with a byte estimate that errs on the large side.
 *
 * @param maxOps the most operations (and comparisons) per transaction
 * @param maxBytes the most bytes of keys and values per transaction
 */
public record TxnLimits(int maxOps, int maxBytes) {
  /** Operations a {@link ProfileOp.Put} can need: rules, tags and the ownership record. */
  public static final int PUT_OPS = 3;

  /** Bytes of protocol framing counted per key besides the key and value themselves. */
  static final int OVERHEAD_PER_KEY = 16;

  public TxnLimits {
    if (maxOps < PUT_OPS) {
      throw new IllegalArgumentException("max-txn-ops must be at least " + PUT_OPS);
    }
    if (maxBytes < 1024) {
      throw new IllegalArgumentException("max-txn-bytes must be at least 1024");
    }
  }

  /** The estimated request bytes of writing {@code op} (keys, values, guards). */
  public static int bytes(ProfileOp op) {
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
    return op instanceof ProfileOp.Put ? PUT_OPS : 2;
  }

  /** Whether {@code op} alone fits in a transaction. */
  public boolean fits(ProfileOp op) {
    return bytes(op) <= maxBytes;
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
