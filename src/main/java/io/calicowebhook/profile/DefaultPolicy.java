package io.calicowebhook.profile;

/** Inbound policy of a pod without a policy annotation (SPEC section 3). */
public enum DefaultPolicy {
  /** Only pods of the same namespace may connect. */
  NS_ISOLATION,
  /** Everything may connect. */
  ALLOW
}
