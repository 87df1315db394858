package io.calicowebhook.lint;

import java.util.Arrays;

/**
 * Where each character of a scalar's value is written in the input, so that a policy column points
 * at the very character in the file, across the lines of a block scalar or a folded plain one.
 *
 * <p>The value and the written text hold the same non-blank characters in the same order, except
 * where quoting escapes them; blanks differ (indentation, folded line breaks). So the map walks
 * both, pairing each non-blank character of the value with the next non-blank character written,
 * with {@code ''} read as {@code '} in single quotes. When a pair differs (a {@code \}-escape in
 * double quotes), or a quoted scalar does not end right after its last character, the map cannot be
 * told exactly and every column points at where the scalar starts, which is still the value the
 * message is about.
 */
final class ScalarMap {
  private final Source source;
  private final Value.Scalar scalar;

  /** Char index in the input of each code point of the value; -1 for blanks. Null: no exact map. */
  private final int[] offsets;

  private ScalarMap(Source source, Value.Scalar scalar, int[] offsets) {
    this.source = source;
    this.scalar = scalar;
    this.offsets = offsets;
  }

  static ScalarMap of(Source source, Value.Scalar scalar) {
    return new ScalarMap(source, scalar, new Walk(source.text(), scalar).offsets());
  }

  /** Where the scalar's value starts: its quote, block indicator or first character. */
  Position start() {
    return source.position(Walk.afterProperties(source.text(), scalar.start()));
  }

  /**
   * Where the value's {@code column} (from 1, in code points) is written. A column on a blank, or
   * just past the value's end, points just after the last character before it.
   */
  Position at(int column) {
    if (offsets == null) {
      return start();
    }
    for (int i = Math.min(column - 1, offsets.length); i >= 0; i--) {
      if (i < offsets.length && offsets[i] >= 0) {
        return source.position(i == column - 1 ? offsets[i] : after(offsets[i]));
      }
    }
    return start();
  }

  private int after(int offset) {
    return offset + Character.charCount(source.text().codePointAt(offset));
  }

  /** One pass over the value and the written text. */
  private static final class Walk {
    private final String text;
    private final Value.Scalar scalar;
    private int at;

    Walk(String text, Value.Scalar scalar) {
      this.text = text;
      this.scalar = scalar;
      this.at = contentStart(text, scalar);
    }

    int[] offsets() {
      String value = scalar.text();
      int[] offsets = new int[value.codePointCount(0, value.length())];
      Arrays.fill(offsets, -1);
      int i = 0;
      for (int k = 0; k < value.length(); k += Character.charCount(value.codePointAt(k)), i++) {
        int c = value.codePointAt(k);
        if (!blank(c)) {
          skipBlanks();
          if (!takes(c)) {
            return null;
          }
          offsets[i] = at - writtenAs(c).length();
        }
      }
      return endsRight() ? offsets : null;
    }

    /** Consumes {@code c} as written at {@link #at}, if it is there. */
    private boolean takes(int c) {
      String written = writtenAs(c);
      if (!text.startsWith(written, at)) {
        return false;
      }
      at += written.length();
      return true;
    }

    /** How {@code c} is written: {@code ''} for {@code '} in single quotes, else as itself. */
    private String writtenAs(int c) {
      boolean doubled = c == '\'' && scalar.style() == Value.Style.SINGLE_QUOTED;
      return doubled ? "''" : Character.toString(c);
    }

    /** A quoted scalar's closing quote comes right after its last character (no escapes left). */
    private boolean endsRight() {
      return switch (scalar.style()) {
        case SINGLE_QUOTED -> closes('\'');
        case DOUBLE_QUOTED -> closes('"');
        default -> true;
      };
    }

    private boolean closes(char quote) {
      skipBlanks();
      return at < text.length() && text.charAt(at) == quote;
    }

    private void skipBlanks() {
      while (at < text.length() && blank(text.charAt(at))) {
        at++;
      }
    }

    private static boolean blank(int c) {
      return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    /** Where the value's text begins: after the quote, or on the line after a block header. */
    private static int contentStart(String text, Value.Scalar scalar) {
      int start = afterProperties(text, scalar.start());
      return switch (scalar.style()) {
        case SINGLE_QUOTED, DOUBLE_QUOTED -> start + 1;
        case LITERAL, FOLDED -> nextLine(text, start);
        default -> start;
      };
    }

    /**
     * Past the node's anchor ({@code &name}) and tag ({@code !!str}), where YAML's marks start a
     * node, to its value. JSON has neither.
     */
    static int afterProperties(String text, int start) {
      int at = start;
      while (at < text.length() && (text.charAt(at) == '&' || text.charAt(at) == '!')) {
        while (at < text.length() && !blank(text.charAt(at))) {
          at++;
        }
        while (at < text.length() && blank(text.charAt(at))) {
          at++;
        }
      }
      return at;
    }

    private static int nextLine(String text, int from) {
      int newline = text.indexOf('\n', from);
      int carriage = text.indexOf('\r', from);
      int end = newline < 0 ? carriage : carriage < 0 ? newline : Math.min(newline, carriage);
      return end < 0 ? text.length() : end + 1;
    }
  }
}
