package io.calicowebhook.policy;

/**
 * Reads an annotation value as tokens, one at a time: words (maximal runs of anything but
 * whitespace and {@code ;}), {@code ;}, and a final end token that repeats. Columns count Unicode
 * code points from 1, so they match what a user sees for non-ASCII text. Only the current token is
 * held, so memory does not grow with the value (a 4 MiB value of {@code ;} is four million tokens).
 * Linear time.
 */
final class Lexer {
  private final String value;
  private int index;
  private int column = 1;
  private Token current;

  Lexer(String value) {
    this.value = value;
    this.current = read();
  }

  /** The current token; {@link Token.Kind#END} once the value is used up. */
  Token peek() {
    return current;
  }

  /** Moves past the current token; stays at the end token. */
  void advance() {
    if (current.kind() != Token.Kind.END) {
      current = read();
    }
  }

  private Token read() {
    while (index < value.length() && Character.isWhitespace(value.codePointAt(index))) {
      step();
    }
    if (index == value.length()) {
      return new Token(Token.Kind.END, "", column, column);
    }
    if (value.charAt(index) == ';') {
      step();
      return new Token(Token.Kind.SEMICOLON, ";", column - 1, column);
    }
    return word();
  }

  private Token word() {
    int start = index;
    int startColumn = column;
    while (index < value.length() && isWordPart(value.codePointAt(index))) {
      step();
    }
    return new Token(Token.Kind.WORD, value.substring(start, index), startColumn, column);
  }

  /** Moves one code point on. */
  private void step() {
    index += Character.charCount(value.codePointAt(index));
    column++;
  }

  private static boolean isWordPart(int cp) {
    return cp != ';' && !Character.isWhitespace(cp);
  }
}
