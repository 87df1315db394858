package io.calicowebhook.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The bounds that keep every answer under 64 KiB, checked against Jackson's own output. */
class AnswerLimitsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void showsTwentyBadRulesAndCountsTheRest() {
    List<String> lines = IntStream.rangeClosed(1, 25).mapToObj(i -> "rule " + i).toList();

    String message = AnswerLimits.denialMessage(lines, 30);

    List<String> shown = List.of(message.split("\n"));
    assertEquals(21, shown.size());
    assertEquals(lines.subList(0, 20), shown.subList(0, 20));
    assertEquals("... and 10 more bad rules", shown.get(20));
  }

  @Test
  void addsNoCountWhenEveryBadRuleIsShown() {
    assertEquals("a\nb", AnswerLimits.denialMessage(List.of("a", "b"), 2));
  }

  @Test
  void cutsEachLineOfADenial() {
    String message = AnswerLimits.denialMessage(List.of("x".repeat(5000), "y"), 7);

    String[] lines = message.split("\n");
    assertEquals("x".repeat(AnswerLimits.MAX_LINE_BYTES - 3) + "...", lines[0]);
    assertEquals("y", lines[1]);
    assertEquals("... and 5 more bad rules", lines[2]);
  }

  static Stream<Arguments> characters() {
    return Stream.of(
        Arguments.of("ascii", "a"),
        Arguments.of("quote", "\""),
        Arguments.of("control character", "\u0007"),
        Arguments.of("two-byte UTF-8", "\u00e9"),
        Arguments.of("three-byte UTF-8", "\u2713"),
        Arguments.of("past U+FFFF", "\uD83D\uDE00"),
        Arguments.of("lone surrogate", "\uD800"));
  }

  /** Text of each kind of character, cut to 100 bytes as Jackson writes it. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("characters")
  void cutsToTheBytesJacksonWrites(String kind, String unit) throws Exception {
    String text = unit.repeat(500);

    String cut = AnswerLimits.cut(text, 100);

    int bytes = jsonBytes(cut);
    assertTrue(bytes <= 100, () -> kind + ": " + bytes + " bytes");
    assertTrue(bytes > 100 - 3 - 12, () -> kind + ": only " + bytes + " bytes");
    assertTrue(cut.endsWith("..."), cut);
    assertTrue(text.startsWith(cut.substring(0, cut.length() - 3)), kind);
  }

  @Test
  void keepsTextThatFitsExactly() {
    String text = "\u00e9".repeat(50);
    assertEquals(text, AnswerLimits.cut(text, 100));
    assertEquals("\u00e9".repeat(48) + "...", AnswerLimits.cut(text + "a", 100));
  }

  /** The string's size inside a JSON document, as Jackson writes it. */
  static int jsonBytes(String text) throws Exception {
    return new String(JSON.writeValueAsBytes(text), StandardCharsets.UTF_8)
            .getBytes(StandardCharsets.UTF_8)
            .length
        - 2;
  }
}
