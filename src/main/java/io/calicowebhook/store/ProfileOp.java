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

  /** Deletes profile {@code id} and its ownership record, only when the record exists. */
  record Remove(String id) implements ProfileOp {}
}
