package io.calicowebhook.store;

/**
 * One thing to do to one profile in etcd: bring it to its desired values ({@link Put}) or delete it
 * because its pod is gone or needs none ({@link Remove}). Either only touches a profile the service
 * owns or creates.
 */
public sealed interface ProfileOp {

  /** The profile id the operation is about. */
  String id();

  /** Writes {@code desired} unless the profile is foreign. */
  record Put(DesiredProfile desired) implements ProfileOp {
    @Override
    public String id() {
      return desired.id();
    }
  }

  /**
   * Deletes profile {@code id} and its ownership record, only when the record exists and, when
   * {@code ownerUid} is set, names that pod uid: a delete meant for a pod that is gone never
   * removes the profile of another pod of the same name.
   *
   * @param ownerUid the uid the ownership record must name, or null for whichever pod it names
   *     (only for a pod that exists and needs no profile)
   */
  record Remove(String id, String ownerUid) implements ProfileOp {
    /** Deletes profile {@code id} whichever pod its ownership record names. */
    public Remove(String id) {
      this(id, null);
    }
  }
}
