package io.calicowebhook.profile;

import java.util.regex.Pattern;

/**
 * Calico names (SPEC section 3): every tag and profile id is escaped so that it matches {@link
 * #TAG}. First every {@code _} is doubled, then every character outside {@code [A-Za-z0-9._-]}
 * becomes {@code _}; the doubling keeps {@code a_b} and {@code a/b} apart.
 */
public final class Escaping {
  /** What Felix accepts as a tag or profile id. */
  public static final Pattern TAG = Pattern.compile("^[A-Za-z0-9_.-]+$");

  private Escaping() {}

  /** The escaped form of {@code text}; never empty for non-empty text. */
  public static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 8);
    text.codePoints().forEach(cp -> out.append(escaped(cp)));
    return out.toString();
  }

  private static String escaped(int cp) {
    if (cp == '_') {
      return "__";
    }
    return safe(cp) ? Character.toString(cp) : "_";
  }

  private static boolean safe(int cp) {
    return cp < 128 && (Character.isLetterOrDigit(cp) || cp == '.' || cp == '-');
  }

  /** The profile id of a pod: {@code escape(namespace) + "_" + escape(name)}. */
  public static String profileId(String namespace, String name) {
    return escape(namespace) + "_" + escape(name);
  }

  /** The tag every pod of {@code namespace} carries: {@code "namespace_" + escape(namespace)}. */
  public static String namespaceTag(String namespace) {
    return "namespace_" + escape(namespace);
  }

  /**
   * The tag of pods in {@code namespace} with label {@code key=value}: {@code escape(namespace +
   * "/" + key + "=" + value)}.
   */
  public static String labelTag(String namespace, String key, String value) {
    return escape(namespace + "/" + key + "=" + value);
  }
}
