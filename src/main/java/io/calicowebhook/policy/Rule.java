package io.calicowebhook.policy;

import java.util.Objects;

/**
 * One parsed {@code allow} rule. The constructor refuses what the language cannot express: ICMP
 * type and code on a rule that is not icmp, ports on a rule that is not tcp or udp.
 *
 * @param protocol the protocol, {@link Protocol#ANY} when none is named
 * @param icmp ICMP type and code; null for any (always null unless the protocol is icmp)
 * @param from what the source must match
 * @param to what the destination must match
 */
public record Rule(Protocol protocol, Icmp icmp, Endpoint from, Endpoint to) {
  public Rule {
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (icmp != null && protocol != Protocol.ICMP) {
      throw new IllegalArgumentException("ICMP type on a " + protocol + " rule");
    }
    if (!protocol.hasPorts() && !(from.ports().isEmpty() && to.ports().isEmpty())) {
      throw new IllegalArgumentException("ports on a " + protocol + " rule");
    }
  }

  /** The rule {@code allow}: all traffic. */
  public static Rule allowAll() {
    return new Rule(Protocol.ANY, null, Endpoint.ANY, Endpoint.ANY);
  }

  /** True when the rule restricts nothing and so allows all traffic. */
  public boolean allowsAll() {
    return protocol == Protocol.ANY && from.isAny() && to.isAny();
  }
}
