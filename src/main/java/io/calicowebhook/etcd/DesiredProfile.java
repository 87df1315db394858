package io.calicowebhook.etcd;

import io.calicowebhook.profile.Profile;

/**
 * The values one profile should have in etcd, and who it is for.
 *
 * @param id the profile id, {@code <namespace>_<pod>} escaped (SPEC section 3)
 * @param rulesJson value of {@code /calico/v1/policy/profile/<id>/rules}
 * @param tagsJson value of {@code /calico/v1/policy/profile/<id>/tags}
 * @param owner the pod the profile is written for, kept in the ownership record
 */
public record DesiredProfile(String id, String rulesJson, String tagsJson, Owner owner) {

  /** The desired values of {@code profile}, built for the pod {@code owner}. */
  public static DesiredProfile of(Profile profile, Owner owner) {
    return new DesiredProfile(profile.id(), profile.rulesJson(), profile.tagsJson(), owner);
  }
}
