package io.calicowebhook.admission;

import io.calicowebhook.policy.PolicyError;
import io.calicowebhook.profile.PolicyAnnotations;
import io.calicowebhook.workload.WorkloadKind;
import java.util.ArrayList;
import java.util.List;

/**
 * The texts of {@code response.warnings}, which kubectl prints as {@code Warning: <text>}, that
 * only admission gives (the remarks about where a policy is written are {@code PolicyCheck}'s).
 */
final class Warnings {
  private static final String CURRENT = '"' + PolicyAnnotations.KEY + '"';

  private Warnings() {}

  /**
   * Why an UPDATE keeping a broken policy is allowed; {@code name} is how the errors name the
   * annotation ({@code WorkloadKind.annotationName}).
   */
  static String unchangedInvalid(String name, List<PolicyError> errors) {
    String more = errors.size() > 1 ? " (and " + (errors.size() - 1) + " more errors)" : "";
    return name
        + " does not parse but is unchanged, so this update is allowed; fix it before"
        + " changing it: "
        + errors.get(0).message()
        + more;
  }

  static String rewrote(WorkloadKind kind) {
    return "rewrote legacy annotation "
        + kind.quotedAnnotation(PolicyAnnotations.LEGACY_KEY)
        + " to "
        + CURRENT;
  }

  static String removedShadowed(WorkloadKind kind) {
    return "removed legacy annotation "
        + kind.quotedAnnotation(PolicyAnnotations.LEGACY_KEY)
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
