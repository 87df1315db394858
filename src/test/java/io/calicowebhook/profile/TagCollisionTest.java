package io.calicowebhook.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calicowebhook.pod.PodMeta;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The three kinds of tag never collide, over generated valid namespaces (DNS labels), pod names
 * (DNS subdomains) and Kubernetes labels (prefixed keys, {@code _ . -} inside names and values,
 * empty values): every small name over an alphabet chosen to provoke collisions, plus random long
 * ones, with a fixed seed.
 *
 * <p>Why it holds: a namespace has no {@code _}, {@code /} or {@code =}; a label prefix has no
 * {@code _}; names and values start and end alphanumeric. So in {@code escape(ns/key=value)} each
 * literal {@code _} is a doubled {@code __} never next to a separator, each {@code /} and {@code =}
 * a lone {@code _}; the lone ones split the tag back into namespace, [prefix,] name and value. A
 * namespace tag {@code namespace_<ns>} has exactly one lone {@code _}, a label tag at least two.
 */
class TagCollisionTest {
  private static final long SEED = 0x7A65_C011L;
  private static final ProfileBuilder BUILDER = new ProfileBuilder(DefaultPolicy.NS_ISOLATION);

  private static final List<String> NAMESPACES =
      List.of("a", "n", "aa", "a1", "a-a", "a--a", "namespace", "production", "kube-system");
  private static final List<String> PREFIXES = List.of("", "a", "a.a", "a-a", "a.a-a", "namespace");
  private static final String NAME_ALPHABET = "aA1_.-";
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private final Random random = new Random(SEED);

  /**
   * The collision that opened namespaces: pod {@code production} in namespace {@code namespace}.
   */
  @Test
  void podNamedLikeAnotherNamespaceDoesNotCarryItsTag() {
    Profile profile =
        BUILDER
            .build(new PodMeta("namespace", "production", "u", Map.of(), Map.of(), false))
            .orElseThrow();
    assertEquals("namespace_production", profile.id());
    assertEquals(List.of("namespace_namespace"), profile.tags());
    assertFalse(profile.tags().contains(Escaping.namespaceTag("production")));
  }

  @Test
  void differentLabelsNeverGiveOneTagWithinOrAcrossNamespaces() {
    Map<String, List<String>> byTag = new HashMap<>();
    List<String> names = smallNames();
    List<String> values = new ArrayList<>(names);
    values.add("");
    for (String namespace : NAMESPACES) {
      for (String prefix : PREFIXES) {
        for (String name : names) {
          for (String value : values) {
            record(byTag, namespace, key(prefix, name), value);
          }
        }
      }
    }
    for (int i = 0; i < 100_000; i++) {
      record(byTag, dnsLabel(), key(random.nextBoolean() ? "" : dnsSubdomain(), name()), value());
    }
    assertTrue(byTag.size() > 300_000, "generated " + byTag.size() + " label tags");
    for (String tag : byTag.keySet()) {
      assertEquals(null, namespaceOf(tag), () -> "label tag equals a namespace tag: " + tag);
    }
  }

  @Test
  void noPodCarriesTheNamespaceTagOfAnotherNamespace() {
    List<String> namespaces = new ArrayList<>(NAMESPACES);
    for (int i = 0; i < 200; i++) {
      namespaces.add(dnsLabel());
    }
    for (int i = 0; i < 20_000; i++) {
      String namespace = pick(namespaces);
      String name = random.nextInt(4) == 0 ? pick(namespaces) : dnsSubdomain();
      Map<String, String> labels = new LinkedHashMap<>();
      for (int n = random.nextInt(5); n > 0; n--) {
        labels.put(key(random.nextBoolean() ? "" : pick(namespaces), name()), value());
      }
      PodMeta pod = new PodMeta(namespace, name, "u", labels, Map.of(), false);
      List<String> tags = BUILDER.build(pod).orElseThrow().tags();
      // X
      for (String tag : tags) {
        String owner = namespaceOf(tag);
        assertTrue(
            owner == null || owner.equals(namespace),
            () -> pod + " carries the tag of namespace " + owner + ": " + tags);
      }
    }
  }

  /**
   * The namespace whose namespace tag {@code tag} is, whatever namespaces exist; null when it is no
   * namespace's tag.
   */
  private static String namespaceOf(String tag) {
    String rest = tag.startsWith("namespace_") ? tag.substring("namespace_".length()) : "";
    return DNS_LABEL.matcher(rest).matches() ? rest : null;
  }

  private static void record(
      Map<String, List<String>> byTag, String namespace, String key, String value) {
    List<String> label = List.of(namespace, key, value);
    List<String> before = byTag.putIfAbsent(Escaping.labelTag(namespace, key, value), label);
    assertTrue(before == null || before.equals(label), () -> before + " and " + label + " collide");
  }

  private static String key(String prefix, String name) {
    return prefix.isEmpty() ? name : prefix + "/" + name;
  }

  // ---- generators of valid Kubernetes names ----

  /** Every label name of 1 to 3 characters over {@link #NAME_ALPHABET}. */
  private static List<String> smallNames() {
    List<String> names = new ArrayList<>();
    List<String> all = List.of("");
    for (int length = 1; length <= 3; length++) {
      List<String> longer = new ArrayList<>();
      for (String start : all) {
        for (char c : NAME_ALPHABET.toCharArray()) {
          longer.add(start + c);
        }
      }
      all = longer;
      all.stream().filter(TagCollisionTest::isLabelName).forEach(names::add);
    }
    return names;
  }

  private static boolean isLabelName(String name) {
    return Character.isLetterOrDigit(name.charAt(0))
        && Character.isLetterOrDigit(name.charAt(name.length() - 1));
  }

  /** A label name or value: 1 to 63 characters, alphanumeric ends, {@code -_.} inside. */
  private String name() {
    int length = 1 + (random.nextInt(8) == 0 ? random.nextInt(63) : random.nextInt(6));
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < length; i++) {
      boolean end = i == 0 || i == length - 1;
      out.append(end ? pickChar("aZ09") : pickChar("aZ09_.-___..--"));
    }
    return out.toString();
  }

  /** A label value: empty (Kubernetes allows it) or a name. */
  private String value() {
    return random.nextInt(10) == 0 ? "" : name();
  }

  /** RFC 1123 label: 1 to 63 of {@code [a-z0-9-]}, alphanumeric ends. */
  private String dnsLabel() {
    int length = 1 + random.nextInt(random.nextInt(8) == 0 ? 63 : 8);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < length; i++) {
      boolean end = i == 0 || i == length - 1;
      out.append(end ? pickChar("an19") : pickChar("an19--"));
    }
    return out.toString();
  }

  /** RFC 1123 subdomain: dot-separated labels, at most 253 characters. */
  private String dnsSubdomain() {
    StringBuilder out = new StringBuilder(dnsLabel());
    for (int parts = random.nextInt(4); parts > 0; parts--) {
      String next = "." + dnsLabel();
      if (out.length() + next.length() <= 253) {
        out.append(next);
      }
    }
    return out.toString();
  }

  private char pickChar(String choices) {
    return choices.charAt(random.nextInt(choices.length()));
  }

  private String pick(List<String> choices) {
    return choices.get(random.nextInt(choices.size()));
  }
}
