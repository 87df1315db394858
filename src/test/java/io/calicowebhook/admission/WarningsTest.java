package io.calicowebhook.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class WarningsTest {
  @Test
  void keepsShortListAsIs() {
    assertEquals(List.of("a", "b"), new Warnings.Limit(3).apply(List.of("a", "b")));
  }

  @Test
  void cutsLongListAndCountsTheRest() {
    List<String> many = IntStream.range(0, 50).mapToObj(i -> "w" + i).toList();

    List<String> kept = new Warnings.Limit(20).apply(many);

    assertEquals(20, kept.size());
    assertEquals(many.subList(0, 19), kept.subList(0, 19));
    assertEquals("... and 31 more warnings", kept.get(19));
  }

  @Test
  void countsWarningsTheParserDidNotKeep() {
    List<String> kept = IntStream.range(0, 20).mapToObj(i -> "w" + i).toList();

    List<String> shown = new Warnings.Limit(20).apply(kept, 980);

    assertEquals(kept.subList(0, 19), shown.subList(0, 19));
    assertEquals("... and 981 more warnings", shown.get(19));
    assertEquals(
        List.of("a", "... and 5 more warnings"), new Warnings.Limit(2).apply(List.of("a"), 5));
  }

  @Test
  void cutsEachWarningToAKibibyteAfterEscaping() throws Exception {
    String shown = Warnings.Limit.DEFAULT.apply(List.of("\u0007".repeat(1000))).get(0);

    int bytes = AnswerLimitsTest.jsonBytes(shown);
    assertTrue(bytes <= 1024 && bytes > 1000, () -> bytes + " bytes");
    assertTrue(shown.startsWith("\\u0007".repeat(145)) && shown.endsWith("..."), shown);
  }

  @Test
  void writesControlCharactersAsEscapes() {
    assertEquals(
        List.of("found '\\u0007' and \\u000a, é ✓ kept"),
        Warnings.Limit.DEFAULT.apply(List.of("found '\u0007' and \n, é ✓ kept")));
  }
}
