package io.calicowebhook.lint;

/**
 * One thing the linter says about a policy.
 *
 * @param at where in the input: the very character a policy error or warning points at, else the
 *     start of the annotation's value
 * @param severity error (kubectl apply would be denied) or warning
 * @param object the object it is about, e.g. {@code Deployment web}
 * @param annotation how the message names the annotation, e.g. {@code
 *     spec.template.metadata.annotations[projectcalico.org/policy]}
 * @param rule the rule and column inside the policy, or null for a remark about where the policy is
 *     written
 * @param message the text, as admission gives it
 * @param more 0, or for the line {@code ... and N more bad rules} (or {@code warnings}) the N
 *     problems of the annotation the parser only counted, which it stands for
 */
record Problem(
    Position at,
    Severity severity,
    String object,
    String annotation,
    RuleColumn rule,
    String message,
    int more) {

  /** How many problems this one counts as: itself, or the {@code more} it stands for. */
  int count() {
    return more == 0 ? 1 : more;
  }

  enum Severity {
    ERROR,
    WARNING;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A rule (from 1) and a column (from 1, in code points) inside the policy value. */
  record RuleColumn(int rule, int column) {}
}
