package io.calicowebhook.policy;

/** The protocol a rule matches; {@link #ANY} when the rule names none. */
public enum Protocol {
  ANY,
  TCP,
  UDP,
  ICMP;

  /** Whether rules of this protocol may match ports (only tcp and udp have ports). */
  public boolean hasPorts() {
    return this == TCP || this == UDP;
  }
}
