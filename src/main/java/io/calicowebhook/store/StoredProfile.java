package io.calicowebhook.store;

/**
 * What etcd holds for one profile id, as read in one transaction or as remembered from the
 * service's own last write ({@link KnownProfiles}).
 *
 * @param rules the {@code rules} key
 * @param tags the {@code tags} key
 * @param owner the ownership record
 */
record StoredProfile(StoredKey rules, StoredKey tags, StoredKey owner) {
  static final StoredProfile ABSENT =
      new StoredProfile(StoredKey.ABSENT, StoredKey.ABSENT, StoredKey.ABSENT);

  /**
   * One key's value (or only its {@link ValueHash}, when remembered rather than read) and
   * modification revision; {@link #ABSENT} when the key does not exist. etcd gives every existing
   * key a modification revision of at least 1.
   */
  record StoredKey(String value, long hash, long modRevision) {
    static final StoredKey ABSENT = new StoredKey(null, 0, 0);

    static StoredKey read(String value, long modRevision) {
      return new StoredKey(value, ValueHash.of(value), modRevision);
    }

    static StoredKey remembered(String value, long modRevision) {
      return new StoredKey(null, ValueHash.of(value), modRevision);
    }

    boolean exists() {
      return modRevision > 0;
    }

    boolean holds(String desired) {
      return exists() && (value != null ? value.equals(desired) : hash == ValueHash.of(desired));
    }

    /** The same key without its value: what is worth remembering. */
    StoredKey withoutValue() {
      return value == null ? this : new StoredKey(null, hash, modRevision);
    }
  }
}
