package io.calicowebhook.policy;

/**
 * Parses a {@code projectcalico.org/policy} annotation value (SPEC section 2).
 *
 * <p>API fixed for the other packages; the implementation lands with issue 2.
 */
public final class PolicyParser {
  private PolicyParser() {}

  /**
   * Parses a whole annotation value.
   *
   * @param annotationKey the key the value was read from, named in every error message
   * @param value the annotation value
   * @return the rules, or every error of every bad rule; never throws on any input
   */
  public static PolicyResult parse(String annotationKey, String value) {
    throw new UnsupportedOperationException("lands with issue 2");
  }
}
