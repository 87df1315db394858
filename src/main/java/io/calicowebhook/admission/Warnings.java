package io.calicowebhook.admission;

import io.calicowebhook.policy.PolicyError;
import io.calicowebhook.profile.PolicyAnnotations;
import java.util.ArrayList;
import java.util.List;

/** The texts of {@code response.warnings}, which kubectl prints as {@code Warning: <text>}. */
final class Warnings {
  private static final String LEGACY = '"' + PolicyAnnotations.LEGACY_KEY + '"';
  private static final String CURRENT = '"' + PolicyAnnotations.KEY + '"';

  private Warnings() {}

  static String legacyKey() {
    return "annotation "
        + LEGACY
        + " is the legacy key of Calico before 0.2.0; it still applies,"
        + " but rename it to "
        + CURRENT;
  }

  static String legacyKeyShadowed() {
    return "annotation "
        + LEGACY
        + " is ignored: "
        + CURRENT
        + " is also set and takes precedence; remove "
        + LEGACY;
  }

  static String kubeSystem(String key) {
    return key + " is ignored in namespace kube-system: its pods accept all traffic";
  }

  static String hostNetwork(String key) {
    return key
        + " has no effect: the pod uses the host network (spec.hostNetwork: true),"
        + " which Calico does not police";
  }

  static String unchangedInvalid(String key, List<PolicyError> errors) {
    String more = errors.size() > 1 ? " (and " + (errors.size() - 1) + " more errors)" : "";
    return key
        + " does not parse but is unchanged, so this update is allowed; fix it before"
        + " changing it: "
        + errors.get(0).message()
        + more;
  }

  static String rewrote() {
    return "rewrote legacy annotation " + LEGACY + " to " + CURRENT;
  }

  static String removedShadowed() {
    return "removed legacy annotation "
        + LEGACY
        + ": "
        + CURRENT
        + " is also set and takes precedence";
  }

  /**
   * The warning with control characters written as {@code \\uXXXX}: warnings travel as HTTP Warning
   * headers, and the apiserver silently drops any that holds a control character.
   */
  static String printable(String warning) {
    StringBuilder out = new StringBuilder(warning.length());
    warning
        .codePoints()
        .forEach(
            c -> {
              if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
              } else {
                out.appendCodePoint(c);
              }
            });
    return out.toString();
  }

  /**
   * At most {@code max} warnings, each {@link #printable}: the apiserver truncates long lists
   * anyway, and a 4,000-rule annotation can draw thousands. The last line says how many were left
   * out.
   */
  record Limit(int max) {
    static final Limit DEFAULT = new Limit(20);

    List<String> apply(List<String> warnings) {
      if (warnings.size() <= max) {
        return warnings.stream().map(Warnings::printable).toList();
      }
      List<String> kept = new ArrayList<>(warnings.subList(0, max - 1));
      kept.replaceAll(Warnings::printable);
      kept.add("... and " + (warnings.size() - max + 1) + " more warnings");
      return kept;
    }
  }
}
