package io.calicowebhook.policy;

import java.util.List;

/**
 * One side of a rule, a {@code from} or {@code to} clause: ports (empty for any), label and CIDR
 * (null for any).
 */
public record Endpoint(List<PortRange> ports, Label label, Cidr cidr) {
  /** Matches anything: no ports, no label, no CIDR. */
  public static final Endpoint ANY = new Endpoint(List.of(), null, null);

  public Endpoint {
    ports = List.copyOf(ports);
  }

  /** True when the clause restricts nothing. */
  public boolean isAny() {
    return ports.isEmpty() && label == null && cidr == null;
  }
}
