package io.calicowebhook.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
