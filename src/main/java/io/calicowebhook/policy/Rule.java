package io.calicowebhook.policy;

/** One parsed {@code allow} rule. */
public record Rule() {
  /**
   * The rule as Felix reads it (SPEC section 4); {@code label K=V} becomes a tag of {@code
   * namespace}.
   */
  public FelixRule toFelix(String namespace) {
    throw new UnsupportedOperationException("lands with issue 2");
  }
}
