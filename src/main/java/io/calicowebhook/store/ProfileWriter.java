package io.calicowebhook.store;

import io.calicowebhook.etcd.TxnLimits;
import io.calicowebhook.store.ProfileStore.Applied;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** What the worker needs of the store: carry out operations, within one transaction's limits. */
public interface ProfileWriter {
  /**
   * Carries out {@code ops}, only while {@code fence} holds; for one id only the last operation
   * counts.
   *
   * @return what happened to each profile id; fails when etcd fails as a whole, and with {@link
   *     FenceLostException} once another term began
   */
  CompletableFuture<Applied> apply(List<ProfileOp> ops, Fence fence);

  /** {@link #apply(List, Fence)} for a writer that is alone ({@link Fence#NONE}). */
  default CompletableFuture<Applied> apply(List<ProfileOp> ops) {
    return apply(ops, Fence.NONE);
  }

  /** What one transaction may hold. */
  TxnLimits limits();
}
