package io.calicowebhook.lint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The text of one input and where each of its characters sits: lines split at {@code \n}, {@code
 * \r\n} or {@code \r} as editors do, columns counting code points as the policy's own columns do. A
 * leading byte order mark is dropped.
 */
final class Source {
  /** The largest input read, in bytes; larger ones are refused as unreadable. */
  static final int MAX_BYTES = 16 * 1024 * 1024;

  private final String name;
  private final String text;
  private final int[] lineStarts;
  private final boolean hasSurrogates;
  private int[] charOffsets;

  Source(String name, String text) {
    this.name = name;
    this.text = text.startsWith("\uFEFF") ? text.substring(1) : text;
    this.lineStarts = lineStarts(this.text);
    this.hasSurrogates = this.text.length() != this.text.codePointCount(0, this.text.length());
  }

  /** Reads at most {@link #MAX_BYTES} of UTF-8 text from {@code in}. */
  static Source read(String name, InputStream in) throws IOException, Unreadable {
    byte[] bytes = in.readNBytes(MAX_BYTES + 1);
    if (bytes.length > MAX_BYTES) {
      throw new Unreadable("larger than " + (MAX_BYTES >> 20) + " MiB");
    }
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes));
      return new Source(name, chars.toString());
    } catch (CharacterCodingException e) {
      throw new Unreadable("not UTF-8 text");
    }
  }

  /** The name the input is reported under: its path, or {@code <stdin>}. */
  String name() {
    return name;
  }

  String text() {
    return text;
  }

  /** The position of the character at {@code offset} (a char index into {@link #text()}). */
  Position position(int offset) {
    int found = Arrays.binarySearch(lineStarts, offset);
    int line = found >= 0 ? found : -found - 2;
    int start = lineStarts[line];
    int column = hasSurrogates ? text.codePointCount(start, offset) : offset - start;
    return new Position(line + 1, column + 1);
  }

  /** The char index of the {@code index}-th code point (the YAML parser counts code points). */
  int offsetOfCodePoint(int index) {
    if (!hasSurrogates) {
      return Math.min(index, text.length());
    }
    if (charOffsets == null) {
      charOffsets = text.codePoints().map(Character::charCount).toArray();
      int sum = 0;
      for (int i = 0; i < charOffsets.length; i++) {
        int width = charOffsets[i];
        charOffsets[i] = sum;
        sum += width;
      }
    }
    return index < charOffsets.length ? charOffsets[index] : text.length();
  }

  private static int[] lineStarts(String text) {
    int[] starts = new int[16];
    int count = 1;
    for (int i = 0; i < text.length(); i++) {
      if (endsLine(text, i)) {
        if (count == starts.length) {
          starts = Arrays.copyOf(starts, count * 2);
        }
        starts[count++] = i + 1;
      }
    }
    return Arrays.copyOf(starts, count);
  }

  /** Whether the char at {@code i} ends a line ({@code \r} of {@code \r\n} does not). */
  private static boolean endsLine(String text, int i) {
    char c = text.charAt(i);
    return c == '\n' || (c == '\r' && (i + 1 == text.length() || text.charAt(i + 1) != '\n'));
  }
}
