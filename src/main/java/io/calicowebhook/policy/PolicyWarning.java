package io.calicowebhook.policy;

/**
 * Something valid but probably unintended, such as a rule with no criteria or a CIDR with host
 * bits.
 *
 * @param annotationKey the key the value was read from
 * @param rule the rule number, 1-based
 * @param column the column, 1-based, in Unicode code points of the whole annotation value
 * @param text what is suspicious, in words
 */
public record PolicyWarning(String annotationKey, int rule, int column, String text) {
  /** The warning as shown to the kubectl user: {@code <key>: rule R, column C: <text>}. */
  public String message() {
    return annotationKey + ": rule " + rule + ", column " + column + ": " + text;
  }
}
