package io.calicowebhook.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a whole annotation value into tokens: words (maximal runs of anything but whitespace and
 * {@code ;}), {@code ;}, and a final end token. Columns count Unicode code points from 1, so they
 * match what a user sees for non-ASCII text. Linear time.
 */
final class Lexer {
  private final int[] codePoints;
  private final List<Token> tokens = new ArrayList<>();
  private int index;

  private Lexer(String value) {
    this.codePoints = value.codePoints().toArray();
  }

  /** The tokens of {@code value}, always ending with a {@link Token.Kind#END} token. */
  static List<Token> tokens(String value) {
    Lexer lexer = new Lexer(value);
    lexer.run();
    return lexer.tokens;
  }

  private void run() {
    while (index < codePoints.length) {
      int cp = codePoints[index];
      if (Character.isWhitespace(cp)) {
        index++;
      } else if (cp == ';') {
        tokens.add(new Token(Token.Kind.SEMICOLON, ";", index + 1, index + 2));
        index++;
      } else {
        word();
      }
    }
    tokens.add(new Token(Token.Kind.END, "", index + 1, index + 1));
  }

  private void word() {
    int start = index;
    while (index < codePoints.length && isWordPart(codePoints[index])) {
      index++;
    }
    String text = new String(codePoints, start, index - start);
    tokens.add(new Token(Token.Kind.WORD, text, start + 1, index + 1));
  }

  private static boolean isWordPart(int cp) {
    return cp != ';' && !Character.isWhitespace(cp);
  }
}
