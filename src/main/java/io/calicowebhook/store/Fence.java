package io.calicowebhook.store;

/**
 * Proof that a writer still leads: the mod revision of the term record ({@code
 * /calico-policy-webhook/v1/term}) its replica wrote when it took the lead. Every transaction of
 * the profile store compares that revision; once another replica has taken the lead and written its
 * own term record, no transaction of the older term can commit, whatever the clocks or the network
 * do. {@link #NONE} (a replica without a Kubernetes API, the only writer) compares nothing.
 *
 * @param revision the term record's mod revision; 0 for {@link #NONE}
 * @param holder who wrote it, for messages
 */
public record Fence(long revision, String holder) {
  /** No fence: the writer is alone. */
  public static final Fence NONE = new Fence(0, "");

  /** Whether transactions compare the term record. */
  public boolean guards() {
    return revision > 0;
  }

  @Override
  public String toString() {
    return guards() ? "term of " + holder + " at etcd revision " + revision : "no fence";
  }
}
