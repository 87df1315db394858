package io.calicowebhook.policy;

import java.util.List;

/**
 * The outcome of parsing one annotation: rules when valid, every error otherwise, and warnings.
 *
 * @param rules the rules in order; empty when there is any error
 * @param errors one error per bad rule, in order
 * @param warnings warnings of the rules that parsed
 */
public record PolicyResult(
    List<Rule> rules, List<PolicyError> errors, List<PolicyWarning> warnings) {
  public PolicyResult {
    rules = List.copyOf(rules);
    errors = List.copyOf(errors);
    warnings = List.copyOf(warnings);
  }

  public boolean valid() {
    return errors.isEmpty();
  }
}
