package io.calicowebhook.admission;

import io.calicowebhook.policy.PolicyParser;
import java.util.List;

/**
 * What keeps every answer to a review under {@link #MAX_ANSWER_BYTES} whatever the review holds: a
 * denial's message has at most {@link PolicyParser#MAX_KEPT} lines of at most {@link
 * #MAX_LINE_BYTES} each plus one count line; an answer has at most {@link Warnings.Limit#DEFAULT}
 * warnings of at most {@link #MAX_WARNING_BYTES} each; {@code request.uid} has at most {@link
 * ReviewReader#MAX_UID} characters. Sizes are bytes as written in the JSON answer (UTF-8, with
 * JSON's escapes), so 20 × 1,536 + 20 × 1,024 + the uid and the envelope come to at most about 51
 * KiB.
 */
final class AnswerLimits {
  /** No answer to a review is larger (SPEC section 2). */
  static final int MAX_ANSWER_BYTES = 64 * 1024;

  /** Longest line of a denial message; a parser message is at most about 1 KiB even so. */
  static final int MAX_LINE_BYTES = 1536;

  /** Longest warning. */
  static final int MAX_WARNING_BYTES = 1024;

  private static final String CUT = "...";

  private AnswerLimits() {}

  /**
   * The {@code status.message} of a denial: the first {@link PolicyParser#MAX_KEPT} of {@code
   * lines}, one per line, then {@code ... and N more bad rules} when {@code badRules} is larger
   * than the lines shown.
   *
   * @param lines the messages of the first bad rules, in order
   * @param badRules how many rules are bad in all
   */
  static String denialMessage(List<String> lines, int badRules) {
    List<String> shown =
        lines.subList(0, Math.min(lines.size(), PolicyParser.MAX_KEPT)).stream()
            .map(line -> cut(line, MAX_LINE_BYTES))
            .toList();
    String message = String.join("\n", shown);
    int more = badRules - shown.size();
    return more > 0 ? message + "\n... and " + more + " more bad rules" : message;
  }

  /**
   * {@code text} when it takes at most {@code maxBytes} in a JSON answer; otherwise its longest
   * start that fits with {@code ...} after it. Never splits a code point.
   */
  static String cut(String text, int maxBytes) {
    int bytes = 0;
    int end = 0;
    int fits = -1;
    while (end < text.length()) {
      int cp = text.codePointAt(end);
      bytes += jsonBytes(cp);
      if (bytes > maxBytes - CUT.length() && fits < 0) {
        fits = end;
      }
      if (bytes > maxBytes) {
        return text.substring(0, fits) + CUT;
      }
      end += Character.charCount(cp);
    }
    return text;
  }

  /**
   * Bytes of one code point inside a JSON string as Jackson writes it: UTF-8, or an escape such as
   * {@code \u0007}; a code point past U+FFFF is written as two escapes (Jackson's default).
   */
  static int jsonBytes(int cp) {
    if (cp < 0x20 || (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE)) {
      return 6;
    }
    if (cp == '"' || cp == '\\') {
      return 2;
    }
    if (cp < 0x80) {
      return 1;
    }
    return cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 12;
  }
}
