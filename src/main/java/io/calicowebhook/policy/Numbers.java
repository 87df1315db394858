package io.calicowebhook.policy;

/** Decimal numbers of the policy language: ASCII digits only, no sign. */
final class Numbers {
  /** Returned by {@link #decimal} for empty text or any character that is not 0-9. */
  static final int NOT_DIGITS = -1;

  /** Returned by {@link #decimal} for a number over the maximum. */
  static final int TOO_BIG = -2;

  private Numbers() {}

  /**
   * The value of {@code text} when it is 1 or more ASCII digits and at most {@code max}; {@link
   * #NOT_DIGITS} or {@link #TOO_BIG} otherwise. Leading zeros are allowed; linear in the text.
   */
  static int decimal(String text, int max) {
    if (text.isEmpty()) {
      return NOT_DIGITS;
    }
    long value = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return NOT_DIGITS;
      }
      value = Math.min(value * 10 + (c - '0'), (long) max + 1);
    }
    return value > max ? TOO_BIG : (int) value;
  }

  /** True when {@code text} is all digits but some are not ASCII (e.g. Arabic-Indic digits). */
  static boolean nonAsciiDigits(String text) {
    return !text.isEmpty()
        && text.codePoints().allMatch(Character::isDigit)
        && text.codePoints().anyMatch(cp -> cp > '9');
  }
}
