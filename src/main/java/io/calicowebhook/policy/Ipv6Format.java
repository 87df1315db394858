package io.calicowebhook.policy;

/**
 * RFC 5952 text of an IPv6 address: lowercase hex without leading zeros, the longest run of two or
 * more zero groups (the first of equal runs) written {@code ::}, and IPv4-mapped addresses ({@code
 * ::ffff:0:0/96}) with a dotted tail.
 */
final class Ipv6Format {
  private Ipv6Format() {}

  static String format(int[] groups) {
    if (isIpv4Mapped(groups)) {
      return "::ffff:"
          + (groups[6] >> 8)
          + "."
          + (groups[6] & 0xff)
          + "."
          + (groups[7] >> 8)
          + "."
          + (groups[7] & 0xff);
    }
    int[] run = longestZeroRun(groups);
    if (run[1] < 2) {
      return join(groups, 0, 8);
    }
    return join(groups, 0, run[0]) + "::" + join(groups, run[0] + run[1], 8);
  }

  private static boolean isIpv4Mapped(int[] groups) {
    for (int i = 0; i < 5; i++) {
      if (groups[i] != 0) {
        return false;
      }
    }
    return groups[5] == 0xffff;
  }

  /** {start, length} of the first longest run of zero groups. */
  private static int[] longestZeroRun(int[] groups) {
    int bestStart = 0;
    int bestLength = 0;
    int start = 0;
    for (int i = 0; i <= groups.length; i++) {
      if (i < groups.length && groups[i] == 0) {
        continue;
      }
      if (i - start > bestLength) {
        bestStart = start;
        bestLength = i - start;
      }
      start = i + 1;
    }
    return new int[] {bestStart, bestLength};
  }

  private static String join(int[] groups, int from, int to) {
    StringBuilder out = new StringBuilder();
    for (int i = from; i < to; i++) {
      out.append(i > from ? ":" : "").append(Integer.toHexString(groups[i]));
    }
    return out.toString();
  }
}
