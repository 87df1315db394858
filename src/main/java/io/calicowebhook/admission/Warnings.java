package io.calicowebhook.admission;

import io.calicowebhook.pod.PolicyAnnotations;
import io.calicowebhook.pod.WorkloadKind;
import io.calicowebhook.policy.PolicyError;
import java.util.ArrayList;
import java.util.List;

/**
 * The texts of {@code response.warnings}, which kubectl prints as {@code Warning: <text>}, that
 * only admission gives (the remarks about where a policy is written are {@code PolicyVerdict}'s).
 */
final class Warnings {
  private static final String CURRENT = '"' + PolicyAnnotations.KEY + '"';

  private Warnings() {}

  /**
   * Why an UPDATE keeping a broken policy is allowed: the first error and how many more bad rules
   * there are, as one line (a warning is an HTTP header).
   *
   * @param name how the errors name the annotation ({@code WorkloadKind.annotationName})
   * @param errors the kept errors, at least one
   * @param badRules how many rules are bad in all
   */
  static String unchangedInvalid(String name, List<PolicyError> errors, int badRules) {
    String more = badRules > 1 ? " (and " + (badRules - 1) + " more bad rules)" : "";
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
   * At most {@code max} warnings, each {@link #printable} and at most {@link
   * AnswerLimits#MAX_WARNING_BYTES}: the apiserver truncates long lists anyway, and a 4,000-rule
   * annotation can draw thousands. The last line says how many were left out.
   */
  record Limit(int max) {
    static final Limit DEFAULT = new Limit(20);

    List<String> apply(List<String> warnings) {
      return apply(warnings, 0);
    }

    /**
     * @param warnings the warnings at hand
     * @param more how many further warnings exist but were not kept (the parser keeps 20)
     */
    List<String> apply(List<String> warnings, int more) {
      if (warnings.size() + more <= max) {
        return warnings.stream().map(Limit::shown).toList();
      }
      int shown = Math.min(warnings.size(), max - 1);
      List<String> kept = new ArrayList<>(warnings.subList(0, shown));
      kept.replaceAll(Limit::shown);
      kept.add("... and " + (warnings.size() + more - shown) + " more warnings");
      return kept;
    }

    private static String shown(String warning) {
      return AnswerLimits.cut(printable(warning), AnswerLimits.MAX_WARNING_BYTES);
    }
  }
}
