package io.calicowebhook.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
  void writesControlCharactersAsEscapes() {
    assertEquals(
        List.of("found '\\u0007' and \\u000a, é ✓ kept"),
        Warnings.Limit.DEFAULT.apply(List.of("found '\u0007' and \n, é ✓ kept")));
  }
}
