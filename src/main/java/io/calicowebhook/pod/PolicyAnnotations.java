package io.calicowebhook.pod;

import java.util.Map;
import java.util.Optional;

/** Where a pod's policy is read from: {@code projectcalico.org/policy}, else the legacy key. */
public final class PolicyAnnotations {
  /** The annotation key since plugin 0.2.0. */
  public static final String KEY = "projectcalico.org/policy";

  /** The key of plugin versions before 0.2.0. */
  public static final String LEGACY_KEY = "policy";

  /**
   * The namespace whose pods' policy is ignored: everything must reach them (DNS and the like), so
   * they always accept all traffic (SPEC section 3).
   */
  public static final String KUBE_SYSTEM = "kube-system";

  private PolicyAnnotations() {}

  /**
   * The key in effect among {@code annotations}: {@link #KEY} when present, else the legacy key.
   */
  public static Optional<String> effectiveKey(Map<String, String> annotations) {
    if (annotations.containsKey(KEY)) {
      return Optional.of(KEY);
    }
    return annotations.containsKey(LEGACY_KEY) ? Optional.of(LEGACY_KEY) : Optional.empty();
  }
}
