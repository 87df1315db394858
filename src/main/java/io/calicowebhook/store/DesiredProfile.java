package io.calicowebhook.store;

import io.calicowebhook.etcd.TxnLimits;
import io.calicowebhook.profile.Profile;
import java.util.Objects;

/**
 * The values one profile should have in etcd, and who it is for. What a write of it costs in a
 * transaction ({@link #bytes()}) and the ownership record's JSON are worked out once, here: the
 * worker asks for both several times per profile (when it decides, groups and writes), and doing
 * the work again each time would be a large part of its CPU.
 */
public final class DesiredProfile {
  private final String id;
  private final String rulesJson;
  private final String tagsJson;
  private final Owner owner;
  private final String ownerJson;
  private final int bytes;

  /**
   * @param id the profile id, {@code <namespace>_<pod>} escaped (SPEC section 3)
   * @param rulesJson value of {@code /calico/v1/policy/profile/<id>/rules}
   * @param tagsJson value of {@code /calico/v1/policy/profile/<id>/tags}
   * @param owner the pod the profile is written for, kept in the ownership record
   */
  public DesiredProfile(String id, String rulesJson, String tagsJson, Owner owner) {
    this.id = Objects.requireNonNull(id, "id");
    this.rulesJson = Objects.requireNonNull(rulesJson, "rulesJson");
    this.tagsJson = Objects.requireNonNull(tagsJson, "tagsJson");
    this.owner = Objects.requireNonNull(owner, "owner");
    this.ownerJson = owner.toJson();
    this.bytes = TxnCost.putBytes(id, rulesJson, tagsJson, ownerJson);
  }

  /** The desired values of {@code profile}, built for the pod {@code owner}. */
  public static DesiredProfile of(Profile profile, Owner owner) {
    return new DesiredProfile(profile.id(), profile.rulesJson(), profile.tagsJson(), owner);
  }

  /** The profile id. */
  public String id() {
    return id;
  }

  /** The value of the profile's {@code rules} key. */
  public String rulesJson() {
    return rulesJson;
  }

  /** The value of the profile's {@code tags} key. */
  public String tagsJson() {
    return tagsJson;
  }

  /** The pod the profile is written for. */
  public Owner owner() {
    return owner;
  }

  /** The ownership record's value: {@code owner().toJson()}. */
  public String ownerJson() {
    return ownerJson;
  }

  /** The estimated request bytes of writing this profile ({@link TxnLimits#bytes}). */
  public int bytes() {
    return bytes;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DesiredProfile that
        && id.equals(that.id)
        && rulesJson.equals(that.rulesJson)
        && tagsJson.equals(that.tagsJson)
        && owner.equals(that.owner);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, rulesJson, tagsJson, owner);
  }

  @Override
  public String toString() {
    return "DesiredProfile[id="
        + id
        + ", rulesJson="
        + rulesJson
        + ", tagsJson="
        + tagsJson
        + ", owner="
        + owner
        + "]";
  }
}
