package io.calicowebhook.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * 256 KiB annotations, valid and pathological, parse without hanging. Only a generous hang guard:
 * the speed goal lives in bench/policy-parse.
 */
class PolicyScaleTest {
  static final int SIZE = 256 * 1024;
  private static final Duration HANG_GUARD = Duration.ofSeconds(10);

  static String repeatToSize(String unit) {
    return unit.repeat(SIZE / unit.length() + 1);
  }

  @Test
  void parsesLargeValidAnnotation() {
    String rule = "allow tcp from ports 80,443 label app=web cidr 10.0.0.0/8 to ports 8000:8080; ";
    String policy = repeatToSize(rule) + "allow";
    PolicyResult result =
        assertTimeoutPreemptively(HANG_GUARD, () -> PolicyParser.parse("k", policy));
    assertTrue(result.valid());
    assertEquals(SIZE / rule.length() + 2, result.rules().size());
  }

  static Stream<Arguments> pathological() {
    return Stream.of(
        Arguments.of("only semicolons", repeatToSize(";"), SIZE + 2),
        Arguments.of("one huge word", "x".repeat(SIZE), 1),
        Arguments.of("huge port list", "allow tcp to ports " + repeatToSize("1,"), 1),
        Arguments.of("huge port list of colons", "allow tcp to ports " + repeatToSize("1:"), 1),
        Arguments.of("huge label", "allow from label a=" + "b".repeat(SIZE), 1),
        Arguments.of("huge cidr", "allow from cidr " + repeatToSize("1:"), 1),
        Arguments.of("many bad rules", repeatToSize("deny;"), SIZE / 5 + 2),
        Arguments.of("many keywords", "allow " + repeatToSize("from "), 1),
        Arguments.of("whitespace", " \t\n".repeat(SIZE / 3), 1),
        Arguments.of("emoji", "\uD83D\uDE00".repeat(SIZE / 2), 1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pathological")
  void rejectsPathologicalAnnotationWithoutHanging(String name, String policy, int badRules) {
    PolicyResult result =
        assertTimeoutPreemptively(HANG_GUARD, () -> PolicyParser.parse("k", policy));
    assertEquals(badRules, result.badRules());
    assertEquals(Math.min(badRules, PolicyParser.MAX_KEPT), result.errors().size());
    result.errors().forEach(error -> assertTrue(error.message().length() < 400));
  }
}
