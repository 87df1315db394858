package io.calicowebhook.etcd;

/**
 * What etcd holds for one profile id, as read in one transaction.
 *
 * @param rules the {@code rules} key
 * @param tags the {@code tags} key
 * @param owner the ownership record
 */
record StoredProfile(StoredKey rules, StoredKey tags, StoredKey owner) {

  /** One key's value and modification revision; {@link #ABSENT} when the key does not exist. */
  record StoredKey(String value, long modRevision) {
    static final StoredKey ABSENT = new StoredKey(null, 0);

    boolean exists() {
      return value != null;
    }

    boolean holds(String desired) {
      return desired.equals(value);
    }
  }
}
