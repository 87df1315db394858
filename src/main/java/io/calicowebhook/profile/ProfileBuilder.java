package io.calicowebhook.profile;

import java.util.Optional;

/** Turns pod metadata into its profile (SPEC section 3). Pure: no I/O. */
public final class ProfileBuilder {
  private final DefaultPolicy defaultPolicy;

  public ProfileBuilder(DefaultPolicy defaultPolicy) {
    this.defaultPolicy = defaultPolicy;
  }

  /**
   * The pod's profile, or empty for a host-network pod (Calico does not wire those).
   *
   * @throws InvalidPolicyException when the pod's policy annotation does not parse
   */
  public Optional<Profile> build(PodMeta pod) {
    throw new UnsupportedOperationException("lands with issue 2");
  }
}
