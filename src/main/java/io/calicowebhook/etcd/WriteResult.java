package io.calicowebhook.etcd;

/** What {@link ProfileStore#write} did with one profile. */
public enum WriteResult {
  /** Written for the first time; the ownership record now names the pod. */
  CREATED,
  /** An owned profile whose rules, tags or owner changed. */
  UPDATED,
  /** Already stored with exactly the desired values: nothing written. */
  UNCHANGED,
  /** The profile exists and the service did not create it: left untouched. */
  FOREIGN
}
