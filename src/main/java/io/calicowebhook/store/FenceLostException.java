package io.calicowebhook.store;

/**
 * A transaction was refused because another replica took the lead since this writer's term began:
 * the term record no longer has the writer's {@link Fence} revision. Nothing of the transaction was
 * written; the writer must stop at once.
 */
public final class FenceLostException extends RuntimeException {
  private final Fence fence;

  public FenceLostException(Fence fence, long termRevisionNow) {
    super(
        "fence lost: the term record moved from revision "
            + fence.revision()
            + " ("
            + fence.holder()
            + ") to "
            + termRevisionNow
            + "; another replica leads",
        null,
        false,
        false);
    this.fence = fence;
  }

  /** The fence the refused transaction carried. */
  public Fence fence() {
    return fence;
  }
}
