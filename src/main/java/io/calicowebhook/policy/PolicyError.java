package io.calicowebhook.policy;

/**
 * One mistake in an annotation. {@link #message()} is the SPEC section 2 format: {@code
 * projectcalico.org/policy: rule 2, column 54: found 'Y' in port list, expected a port number
 * (0-65535) or a range N:M}.
 *
 * @param annotationKey the key the value was read from
 * @param rule the rule number, 1-based, counting {@code ;}-separated rules
 * @param column the column, 1-based, in Unicode code points of the whole annotation value
 * @param found the offending text exactly as written; empty for the end of a rule
 * @param expected what would have been valid there, with a hint in parentheses
 * @param context where the found text sits when that is not obvious (e.g. {@code in port list});
 *     null otherwise
 */
public record PolicyError(
    String annotationKey, int rule, int column, String found, String expected, String context) {

  /** Longest found text shown in full by {@link #message()}; longer text is shortened. */
  static final int MAX_SHOWN = 80;

  /** An error without context. */
  public PolicyError(String annotationKey, int rule, int column, String found, String expected) {
    this(annotationKey, rule, column, found, expected, null);
  }

  /** True when the error is at the end of a rule (a {@code ;} or the end of the value). */
  public boolean atEndOfRule() {
    return found.isEmpty();
  }

  /**
   * The error as shown to the user: {@code <key>: rule R, column C: found 'X'[ context], expected
   * Y}; {@code found end of rule} when the rule ended too early. Found text longer than 80
   * characters is shortened with an ellipsis and its length.
   */
  public String message() {
    String where = context == null ? "" : " " + context;
    return annotationKey
        + ": rule "
        + rule
        + ", column "
        + column
        + ": found "
        + shownFound()
        + where
        + ", expected "
        + expected;
  }

  private String shownFound() {
    if (found.isEmpty()) {
      return "end of rule";
    }
    int length = found.codePointCount(0, found.length());
    if (length <= MAX_SHOWN) {
      return "'" + found + "'";
    }
    int cut = found.offsetByCodePoints(0, MAX_SHOWN);
    return "'" + found.substring(0, cut) + "...' (" + length + " characters)";
  }
}
