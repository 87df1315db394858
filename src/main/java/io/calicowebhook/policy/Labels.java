package io.calicowebhook.policy;

/**
 * The syntax of a Kubernetes label {@code [prefix/]name=value} (SPEC section 2): the prefix a DNS
 * subdomain of at most 253 characters, the name and the value 1 to 63 characters, alphanumeric at
 * both ends and {@code [-_.A-Za-z0-9]} inside.
 */
final class Labels {
  static final int MAX_PREFIX = 253;
  static final int MAX_NAME = 63;

  private static final String NAME_FORM =
      "1 to 63 characters, [A-Za-z0-9] at both ends and" + " [-_.A-Za-z0-9] inside";

  private Labels() {}

  /**
   * What is wrong with {@code text} as a label {@code key=value}, worded as what was expected; null
   * when it is a valid label.
   */
  static String problem(String text) {
    int eq = text.indexOf('=');
    if (eq < 0) {
      return "a label key=value such as role=db";
    }
    String value = text.substring(eq + 1);
    if (value.indexOf(',') >= 0) {
      return "a single label key=value (one label per clause: write another rule for a second"
          + " label)";
    }
    String keyProblem = keyProblem(text.substring(0, eq));
    if (keyProblem != null) {
      return keyProblem;
    }
    return isName(value) ? null : "a label value of " + NAME_FORM;
  }

  private static String keyProblem(String key) {
    int slash = key.indexOf('/');
    if (slash < 0) {
      return isName(key) ? null : "a label key name of " + NAME_FORM;
    }
    String prefix = key.substring(0, slash);
    if (prefix.length() > MAX_PREFIX || !isDnsSubdomain(prefix)) {
      return "a label key prefix that is a DNS subdomain of at most 253 characters (lowercase"
          + " letters, digits, '-' and '.', e.g. app.kubernetes.io/name=web)";
    }
    String name = key.substring(slash + 1);
    return isName(name) ? null : "a label key name after the '/' of " + NAME_FORM;
  }

  /** 1 to 63 characters, [A-Za-z0-9] at both ends, [-_.A-Za-z0-9] inside. */
  static boolean isName(String name) {
    int n = name.length();
    if (n == 0 || n > MAX_NAME) {
      return false;
    }
    if (!isAlnum(name.charAt(0)) || !isAlnum(name.charAt(n - 1))) {
      return false;
    }
    return name.chars().allMatch(c -> isAlnum(c) || c == '-' || c == '_' || c == '.');
  }

  /** RFC 1123 subdomain: dot-separated labels of [a-z0-9-], alphanumeric at both ends. */
  static boolean isDnsSubdomain(String prefix) {
    if (prefix.isEmpty()) {
      return false;
    }
    for (String part : prefix.split("\\.", -1)) {
      if (!isDnsLabel(part)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDnsLabel(String part) {
    int n = part.length();
    if (n == 0 || n > MAX_NAME) {
      return false;
    }
    if (!isLowerAlnum(part.charAt(0)) || !isLowerAlnum(part.charAt(n - 1))) {
      return false;
    }
    return part.chars().allMatch(c -> isLowerAlnum(c) || c == '-');
  }

  private static boolean isAlnum(int c) {
    return (c >= 'A' && c <= 'Z') || isLowerAlnum(c);
  }

  private static boolean isLowerAlnum(int c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }
}
