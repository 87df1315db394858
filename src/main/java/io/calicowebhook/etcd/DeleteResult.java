package io.calicowebhook.etcd;

/** What {@link ProfileStore#deleteOwned} did with one profile. */
public enum DeleteResult {
  /** The profile and its ownership record are gone. */
  DELETED,
  /** No ownership record: the profile, if any, is not the service's and stays. */
  NOT_OWNED
}
