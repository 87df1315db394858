package io.calicowebhook.profile;

import io.calicowebhook.pod.PodKey;
import java.util.Optional;
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

  /**
   * The escaped form of {@code text}; never empty for non-empty text. A loop over the characters
   * rather than a stream of code points: the worker escapes a dozen names for every profile it
   * builds, and the stream's lambda and one string per character were a quarter of building one.
   */
  public static String escape(String text) {
    int length = text.length();
    int first = 0;
    while (first < length && plain(text.charAt(first))) {
      first++;
    }
    if (first == length) {
      return text; // nothing to escape: the common case
    }
    StringBuilder out = new StringBuilder(length + 8).append(text, 0, first);
    for (int i = first; i < length; ) {
      int cp = text.codePointAt(i);
      if (cp == '_') {
        out.append("__");
      } else if (cp < 128 && plain((char) cp)) {
        out.append((char) cp);
      } else {
        out.append('_'); // one per code point, a surrogate pair included
      }
      i += Character.charCount(cp);
    }
    return out.toString();
  }

  /**
   * Whether {@code tag} is a valid Calico tag or profile id, as {@link #TAG} says: not empty, and
   * only {@code [A-Za-z0-9_.-]}.
   */
  public static boolean isTag(String tag) {
    if (tag == null || tag.isEmpty()) {
      return false;
    }
    for (int i = 0; i < tag.length(); i++) {
      char c = tag.charAt(i);
      if (c != '_' && !plain(c)) {
        return false;
      }
    }
    return true;
  }

  /** A character that stays as it is: {@code [A-Za-z0-9.-]}. */
  private static boolean plain(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '-';
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

  /**
   * The pod whose profile id is {@code id}, when {@code id} is one: the inverse of {@link
   * #profileId}. Kubernetes namespaces and pod names never contain {@code _}, so the first {@code
   * _} of an id separates the two; an id that does not round-trip names no pod.
   */
  public static Optional<PodKey> podOf(String id) {
    int separator = id.indexOf('_');
    if (separator <= 0 || separator == id.length() - 1) {
      return Optional.empty();
    }
    PodKey key = new PodKey(id.substring(0, separator), id.substring(separator + 1));
    return profileId(key.namespace(), key.name()).equals(id) ? Optional.of(key) : Optional.empty();
  }
}
