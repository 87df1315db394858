package io.calicowebhook.policy;

/**
 * The ICMP type, and optionally code, an icmp rule matches; both 0..255. A code without a type
 * cannot be written.
 */
public record Icmp(int type, Integer code) {
  /** Highest ICMP type or code. */
  public static final int MAX_BYTE = 255;

  public Icmp {
    if (!isByte(type) || (code != null && !isByte(code))) {
      throw new IllegalArgumentException("ICMP type and code must be 0.." + MAX_BYTE);
    }
  }

  static boolean isByte(int value) {
    return value >= 0 && value <= MAX_BYTE;
  }
}
