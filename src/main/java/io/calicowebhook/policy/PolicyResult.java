package io.calicowebhook.policy;

import java.util.List;

/**
 * The outcome of parsing one annotation: rules when valid, the first errors otherwise, and the
 * first warnings, each list holding at most {@link PolicyParser#MAX_KEPT} entries.
 *
 * @param rules the rules in order; empty when there is any error
 * @param errors one error per bad rule, in order, for the first {@link PolicyParser#MAX_KEPT} bad
 *     rules
 * @param warnings the first {@link PolicyParser#MAX_KEPT} warnings of the rules that parsed
 * @param badRules how many rules are bad, at least {@code errors.size()}
 * @param warningCount how many warnings there are, at least {@code warnings.size()}
 */
public record PolicyResult(
    List<Rule> rules,
    List<PolicyError> errors,
    List<PolicyWarning> warnings,
    int badRules,
    int warningCount) {
  public PolicyResult {
    rules = List.copyOf(rules);
    errors = List.copyOf(errors);
    warnings = List.copyOf(warnings);
    if (badRules < errors.size() || warningCount < warnings.size()) {
      throw new IllegalArgumentException("counts below the kept errors or warnings");
    }
  }

  /** A result that kept every error and warning. */
  public PolicyResult(List<Rule> rules, List<PolicyError> errors, List<PolicyWarning> warnings) {
    this(rules, errors, warnings, errors.size(), warnings.size());
  }

  public boolean valid() {
    return badRules == 0;
  }

  /** Bad rules past the kept errors: the {@code N} of {@code ... and N more bad rules}. */
  public int moreBadRules() {
    return badRules - errors.size();
  }

  /** Warnings past the kept ones. */
  public int moreWarnings() {
    return warningCount - warnings.size();
  }
}
