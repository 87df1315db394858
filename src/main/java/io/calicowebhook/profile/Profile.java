package io.calicowebhook.profile;

import io.calicowebhook.policy.FelixRule;
import java.util.List;

/** A pod's Calico profile (SPEC section 3): id, sorted tags, inbound and outbound rules. */
public record Profile(
    String id, List<String> tags, List<FelixRule> inboundRules, List<FelixRule> outboundRules) {
  /** The value of {@code /calico/v1/policy/profile/<id>/rules}, byte-for-byte deterministic. */
  public String rulesJson() {
    throw new UnsupportedOperationException("lands with issue 2");
  }

  /** The value of {@code /calico/v1/policy/profile/<id>/tags}: a sorted JSON list. */
  public String tagsJson() {
    throw new UnsupportedOperationException("lands with issue 2");
  }
}
