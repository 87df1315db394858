package io.calicowebhook.policy;

/**
 * A single port ({@code first == last}) or a range {@code first:last} with {@code first < last},
 * all within 0..65535.
 */
public record PortRange(int first, int last) {
  /** Highest port number. */
  public static final int MAX_PORT = 65535;

  public PortRange {
    if (first < 0 || last > MAX_PORT || first > last) {
      throw new IllegalArgumentException("bad port range " + first + ":" + last);
    }
  }

  /** A single port. */
  public static PortRange of(int port) {
    return new PortRange(port, port);
  }
}
