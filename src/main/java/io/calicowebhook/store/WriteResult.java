package io.calicowebhook.store;

/** What {@link ProfileStore#apply} did with one profile. */
public enum WriteResult {
  /**
   * Written for a pod for the first time (or for a new pod of the same name): owned from now on.
   */
  CREATED,
  /** An owned profile whose rules, tags or owner changed. */
  UPDATED,
  /** Already stored with exactly the desired values: nothing written. */
  UNCHANGED,
  /** The profile exists and the service did not create it: left untouched. */
  FOREIGN,
  /** An owned profile and its ownership record deleted. */
  DELETED,
  /** Nothing owned to delete: no ownership record (a profile, if any, is someone else's). */
  ABSENT,
  /** Larger than any transaction may be ({@code calico.etcd.max-txn-bytes}); nothing written. */
  TOO_LARGE,
  /**
   * This profile's transaction failed on its own while etcd served others (isolated from its
   * batch); nothing written, worth another try later.
   */
  FAILED
}
