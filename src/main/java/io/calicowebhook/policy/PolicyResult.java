package io.calicowebhook.policy;

import java.util.List;

/** The outcome of parsing one annotation: rules when valid, every error otherwise, and warnings. */
public record PolicyResult(
    List<Rule> rules, List<PolicyError> errors, List<PolicyWarning> warnings) {
  public boolean valid() {
    return errors.isEmpty();
  }
}
