package io.calicowebhook.policy;

/**
 * One token of an annotation value.
 *
 * @param kind a word, a {@code ;}, or the end of the value
 * @param text the text exactly as written; empty for {@link Kind#END}
 * @param column the 1-based column (in Unicode code points) of the first character
 * @param endColumn the column just past the last character
 */
record Token(Kind kind, String text, int column, int endColumn) {
  enum Kind {
    WORD,
    SEMICOLON,
    END
  }

  /** True for a word equal to {@code keyword}. */
  boolean is(String keyword) {
    return kind == Kind.WORD && text.equals(keyword);
  }

  /** True for a {@code ;} or the end of the value: the end of the current rule. */
  boolean endsRule() {
    return kind != Kind.WORD;
  }
}
