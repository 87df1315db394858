package io.calicowebhook.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Where a column of a policy value is written, for each way YAML and JSON write a string. */
class ScalarMapTest {

  static Stream<Arguments> writings() {
    return Stream.of(
        // what, the input, a column of the value of k, where that column is written
        row("plain", "k: allow tcp", 7, "1:10"),
        row("double quotes", "k: \"allow tcp\"", 7, "1:11"),
        row("'' in single quotes", "k: 'it''s a b'", 6, "1:11"),
        row("an escape: the value's start", "k: \"a\\tb c\"", 5, "1:4"),
        row("literal block", "k: |\n  allow\n  deny x\n", 7, "3:3"),
        row("folded block", "k: >-\n  allow\n  deny\n", 7, "3:3"),
        row("block header with a comment", "k: >-  # a note\n  allow\n  deny", 7, "3:3"),
        row("folded plain scalar", "k: allow\n  deny", 7, "2:3"),
        row("CRLF line ends", "k: |\r\n  allow\r\n  deny\r\n", 7, "3:3"),
        row("CR line ends", "k: |\r  allow\r  deny\r", 7, "3:3"),
        row("code points, not chars", "k: \"\uD83D\uDE00 deny\"", 3, "1:7"),
        row("anchor and tag", "k: &a !!str \"x deny\"", 3, "1:16"),
        row("a tab in the value", "k: \"allow\tdeny\"", 7, "1:11"),
        row("just past the end", "k: allow;", 7, "1:10"),
        row("on a blank", "k: allow  tcp", 6, "1:9"),
        row("JSON", "{\"k\": \"a b\"}", 3, "1:10"),
        row("JSON escape: the value's start", "{\"k\": \"a \\u0062\"}", 3, "1:7"));
  }

  private static Arguments row(String what, String input, int column, String expected) {
    return Arguments.of(what, input, column, expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("writings")
  void findsTheColumnWhereItIsWritten(String what, String input, int column, String expected)
      throws Unreadable {
    Source source = new Source("test", input);

    Position at = ScalarMap.of(source, scalar(source)).at(column);

    assertEquals(expected, at.line() + ":" + at.column(), what);
  }

  /** The value of key {@code k} in the one document of {@code source}. */
  private static Value.Scalar scalar(Source source) throws Unreadable {
    List<Value> documents = new ArrayList<>();
    if (JsonValues.isJson(source)) {
      JsonValues.read(source, documents::add);
    } else {
      YamlValues.read(source, documents::add);
    }
    return (Value.Scalar) ((Value.Mapping) documents.get(0)).get("k");
  }
}
