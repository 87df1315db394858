package io.calicowebhook.profile;

import io.calicowebhook.policy.PolicyError;
import java.util.List;

/** A pod's policy annotation does not parse; carries every error. */
public class InvalidPolicyException extends RuntimeException {
  private final transient List<PolicyError> errors;

  public InvalidPolicyException(List<PolicyError> errors) {
    super(errors.isEmpty() ? "invalid policy" : errors.get(0).annotationKey() + ": invalid policy");
    this.errors = List.copyOf(errors);
  }

  public List<PolicyError> errors() {
    return errors;
  }
}
