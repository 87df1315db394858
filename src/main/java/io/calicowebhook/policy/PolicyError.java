package io.calicowebhook.policy;

/**
 * One mistake in an annotation. {@link #message()} is the SPEC section 2 format: {@code
 * projectcalico.org/policy: rule 2, column 54: found 'Y' in port list, expected a port number
 * (0-65535) or a range N:M}.
 */
public record PolicyError(
    String annotationKey, int rule, int column, String found, String expected) {
  public String message() {
    throw new UnsupportedOperationException("lands with issue 2");
  }
}
