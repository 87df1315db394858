package io.calicowebhook.policy;

/**
 * Something valid but probably unintended, such as a rule with no criteria or a CIDR with host
 * bits.
 */
public record PolicyWarning(String annotationKey, int rule, int column, String text) {
  /** The warning as shown to the kubectl user. */
  public String message() {
    throw new UnsupportedOperationException("lands with issue 2");
  }
}
