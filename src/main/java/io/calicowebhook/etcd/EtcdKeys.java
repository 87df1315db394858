package io.calicowebhook.etcd;

/**
 * The keys the service reads and writes (SPEC section 5). Profile ids contain only {@code
 * [A-Za-z0-9._-]}, so the trailing {@code /} of {@link #profileDir} never matches another profile.
 */
public final class EtcdKeys {
  /** Calico v1 profiles, read by Felix. */
  public static final String PROFILE_PREFIX = "/calico/v1/policy/profile/";

  /** The service's own record of the profiles it created; nothing else writes here. */
  public static final String OWNER_PREFIX = "/calico-policy-webhook/v1/profiles/";

  /**
   * The term record of the replica that leads: written once when a replica takes the lead, and
   * compared by every write of the profile store (its mod revision is the writer's fence).
   */
  public static final String TERM = "/calico-policy-webhook/v1/term";

  private EtcdKeys() {}

  /** {@code /calico/v1/policy/profile/<id>/}: every key of one profile. */
  public static String profileDir(String id) {
    return PROFILE_PREFIX + id + "/";
  }

  /** {@code /calico/v1/policy/profile/<id>/rules}. */
  public static String rules(String id) {
    return profileDir(id) + "rules";
  }

  /** {@code /calico/v1/policy/profile/<id>/tags}. */
  public static String tags(String id) {
    return profileDir(id) + "tags";
  }

  /** {@code /calico-policy-webhook/v1/profiles/<id>}: the ownership record. */
  public static String owner(String id) {
    return OWNER_PREFIX + id;
  }
}
