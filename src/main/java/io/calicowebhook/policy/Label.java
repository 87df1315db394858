package io.calicowebhook.policy;

import io.calicowebhook.profile.Escaping;

/** A Kubernetes label {@code key=value} as written after {@code label}; always valid. */
public record Label(String key, String value) {
  public Label {
    String problem = Labels.problem(key + "=" + value);
    if (problem != null) {
      throw new IllegalArgumentException("bad label " + key + "=" + value + ": " + problem);
    }
  }

  /** The tag of pods in {@code namespace} that carry this label. */
  public String tag(String namespace) {
    return Escaping.labelTag(namespace, key, value);
  }
}
