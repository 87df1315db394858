package io.calicowebhook.etcd;

/**
 * How much one etcd transaction may hold: etcd refuses more than {@code --max-txn-ops} operations
 * (and as many comparisons) and requests over {@code --max-request-bytes}. The profile store cuts
 * its groups to stay within both, with a byte estimate that errs on the large side.
 *
 * @param maxOps the most operations (and comparisons) per transaction
 * @param maxBytes the most bytes of keys and values per transaction
 */
public record TxnLimits(int maxOps, int maxBytes) {
  /** Operations writing one profile can need: rules, tags and the ownership record. */
  public static final int PUT_OPS = 3;

  public TxnLimits {
    if (maxOps < PUT_OPS) {
      throw new IllegalArgumentException("max-txn-ops must be at least " + PUT_OPS);
    }
    if (maxBytes < 1024) {
      throw new IllegalArgumentException("max-txn-bytes must be at least 1024");
    }
  }
}
