package io.calicowebhook.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SPEC section 3 escaping: double every '_', then every other unsafe character becomes '_'. */
class EscapingTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiterString = " -> ",
      quoteCharacter = '`',
      textBlock =
          """
      production -> production
      my_ns -> my__ns
      a__b -> a____b
      production/role=backend -> production_role_backend
      production/version=v1.2.3 -> production_version_v1.2.3
      ns/app.kubernetes.io/name=web -> ns_app.kubernetes.io_name_web
      ns/my_key=my_value -> ns_my__key_my__value
      Ab-9.z -> Ab-9.z
      a b:c@d -> a_b_c_d
      é -> _
      \uD83D\uDE00 -> _
      """)
  void escapesTagText(String text, String escaped) {
    assertEquals(escaped, Escaping.escape(text));
    assertTrue(Escaping.TAG.matcher(escaped).matches());
  }

  @Test
  void keepsUnderscoreAndSlashApart() {
    assertNotEquals(Escaping.escape("a_b"), Escaping.escape("a/b"));
    assertNotEquals(
        Escaping.labelTag("ns", "a_b", "c"), Escaping.labelTag("ns", "a", "b=c").replace("=", "_"));
  }

  @Test
  void namesProfilesAndTagsAsSpecExample() {
    assertEquals("production_pod1", Escaping.profileId("production", "pod1"));
    assertEquals("my__ns_web__1", Escaping.profileId("my_ns", "web_1"));
    assertEquals("namespace_production", Escaping.namespaceTag("production"));
    assertEquals("production_role_backend", Escaping.labelTag("production", "role", "backend"));
  }

  @ParameterizedTest(name = "`{0}`")
  @CsvSource(
      quoteCharacter = '`',
      textBlock =
          """
      ``
      `a b`
      `a/b`
      `é`
      `a=b`
      """)
  void rejectsWhatIsNoTag(String text) {
    assertFalse(Escaping.isTag(text));
  }

  @Test
  void rejectsNoTagAndATrailingLineBreak() {
    assertFalse(Escaping.isTag(null));
    assertFalse(Escaping.isTag("a\n")); // the pattern's $ would match before a final line break
  }

  /**
   * The character loop agrees with the definition it replaced, a stream of code points, and the tag
   * check with {@link Escaping#TAG}, on random text of ASCII, underscores, separators, accents,
   * surrogate pairs, lone surrogates and line breaks.
   */
  @Test
  void agreesWithTheDefinitionOnRandomText() {
    String[] pieces = {
      "a", "Z", "7", ".", "-", "_", "__", "/", "=", " ", "é", "\uD83D\uDE00", "\uD800", "\n", ":"
    };
    Random random = new Random(42);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      StringBuilder text = new StringBuilder();
      int length = random.nextInt(12);
      for (int j = 0; j < length; j++) {
        text.append(pieces[random.nextInt(pieces.length)]);
      }
      texts.add(text.toString());
    }
    int plain = 0;
    for (String text : texts) {
      String escaped = Escaping.escape(text);
      assertEquals(byCodePoints(text), escaped, text);
      assertEquals(Escaping.TAG.matcher(text).matches(), Escaping.isTag(text), text);
      assertEquals(!text.isEmpty(), Escaping.isTag(escaped), text);
      plain += Escaping.TAG.matcher(text).matches() ? 1 : 0;
    }
    assertTrue(plain > 100, "some random texts are tags already: " + plain);
  }

  /** The definition: every code point on its own, '_' doubled, anything unsafe '_'. */
  private static String byCodePoints(String text) {
    StringBuilder out = new StringBuilder();
    text.codePoints()
        .forEach(
            cp -> {
              if (cp == '_') {
                out.append("__");
              } else if (cp < 128 && (Character.isLetterOrDigit(cp) || cp == '.' || cp == '-')) {
                out.appendCodePoint(cp);
              } else {
                out.append('_');
              }
            });
    return out.toString();
  }
}
