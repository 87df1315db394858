package io.calicowebhook.policy;

/** A Kubernetes label {@code key=value} as written after {@code label}; always valid. */
public record Label(String key, String value) {
  public Label {
    String problem = Labels.problem(key + "=" + value);
    if (problem != null) {
      throw new IllegalArgumentException("bad label " + key + "=" + value + ": " + problem);
    }
  }
}
