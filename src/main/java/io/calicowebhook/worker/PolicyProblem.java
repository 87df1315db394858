package io.calicowebhook.worker;

import java.util.List;

/**
 * Why a pod got a fail-closed profile instead of the one its policy asks for: shown in the log and,
 * in a cluster, as a Kubernetes Event of type Warning on the pod.
 *
 * @param reason the Event reason
 * @param message what is wrong and what the pod gets instead, at most {@link #MAX_MESSAGE} chars
 * @param subject what the problem is about (the policy value); the same pod, reason and subject is
 *     reported once
 */
public record PolicyProblem(Reason reason, String message, String subject) {
  /** Kubernetes keeps an Event's note to 1 KiB; longer messages are cut with a count. */
  public static final int MAX_MESSAGE = 1024;

  /** The Event reasons. */
  public enum Reason {
    InvalidCalicoPolicy,
    CalicoProfileTooLarge
  }

  public PolicyProblem {
    if (message.length() > MAX_MESSAGE) {
      message = message.substring(0, MAX_MESSAGE - 3) + "...";
    }
  }

  /** The policy in {@code key} does not parse; {@code errors} are the parser's messages. */
  static PolicyProblem invalidPolicy(String key, String value, List<String> errors) {
    StringBuilder message =
        new StringBuilder(
            key + " does not parse, so the pod accepts no inbound traffic until it is fixed:");
    int shown = 0;
    for (String error : errors) {
      String line = "\n" + error;
      if (message.length() + line.length() > MAX_MESSAGE - 40) {
        break;
      }
      message.append(line);
      shown++;
    }
    if (shown < errors.size()) {
      message.append("\n... and ").append(errors.size() - shown).append(" more errors");
    }
    return new PolicyProblem(Reason.InvalidCalicoPolicy, message.toString(), key + "=" + value);
  }

  /** The profile would take {@code bytes}, more than one etcd transaction may ({@code limit}). */
  static PolicyProblem tooLarge(int bytes, int limit, String policy) {
    return new PolicyProblem(
        Reason.CalicoProfileTooLarge,
        "the pod's Calico profile needs "
            + bytes
            + " bytes in etcd, over the limit of "
            + limit
            + " (calico.etcd.max-txn-bytes); the pod accepts no inbound traffic until its policy"
            + " is shortened",
        String.valueOf(policy));
  }

  /** etcd itself refused the profile as too large, below the configured byte limit. */
  static PolicyProblem refusedAsTooLarge(String policy) {
    return new PolicyProblem(
        Reason.CalicoProfileTooLarge,
        "etcd refused the pod's Calico profile as too large; the pod accepts no inbound traffic"
            + " until its policy is shortened",
        String.valueOf(policy));
  }
}
