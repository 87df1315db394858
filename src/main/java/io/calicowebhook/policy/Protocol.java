package io.calicowebhook.policy;

/** The protocol a rule matches; {@link #ANY} when the rule names none. */
public enum Protocol {
  ANY(null),
  TCP("tcp"),
  UDP("udp"),
  ICMP("icmp");

  private final String felixName;

  Protocol(String felixName) {
    this.felixName = felixName;
  }

  /** The {@code protocol} value Felix reads; null for {@link #ANY}. */
  public String felixName() {
    return felixName;
  }

  /** Whether rules of this protocol may match ports (only tcp and udp have ports). */
  public boolean hasPorts() {
    return this == TCP || this == UDP;
  }
}
