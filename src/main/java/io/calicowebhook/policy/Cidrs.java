package io.calicowebhook.policy;

import java.util.Arrays;

/**
 * Parses IPv4 and IPv6 CIDRs by hand (never {@code InetAddress.getByName}, which resolves host
 * names) and writes them canonically.
 */
final class Cidrs {
  private static final int MAX_TEXT = 64;
  private static final String ANY_CIDR =
      "an IPv4 or IPv6 address with an optional /prefix, such as" + " 10.0.0.0/8 or 2001:db8::/32";
  private static final String IPV4 = "an IPv4 address of four octets 0-255 without leading zeros";
  private static final String IPV6 = "an IPv6 address such as 2001:db8::1";

  private Cidrs() {}

  /**
   * The outcome of parsing: either {@code problem} (worded as what was expected) or the canonical
   * text, with {@code hostBits} telling whether the written address had bits set past the prefix.
   */
  record Parsed(String canonical, boolean hostBits, String problem) {
    static Parsed problem(String problem) {
      return new Parsed(null, false, problem);
    }
  }

  /** Parses {@code [address][/prefix]}; linear in the text and never throws. */
  static Parsed parse(String text) {
    if (text.length() > MAX_TEXT) {
      return Parsed.problem(ANY_CIDR + " (this is too long for an address)");
    }
    int slash = text.indexOf('/');
    String address = slash < 0 ? text : text.substring(0, slash);
    String prefix = slash < 0 ? null : text.substring(slash + 1);
    if (address.indexOf('%') >= 0) {
      return Parsed.problem(IPV6 + " without a zone (remove the '%' and what follows)");
    }
    if (address.indexOf(':') >= 0) {
      return withPrefix(Ipv6.parse(address), prefix, 128);
    }
    if (hasAsciiLetter(address)) {
      return Parsed.problem(ANY_CIDR + " (host names are not allowed)");
    }
    if (address.indexOf('.') < 0) {
      return Parsed.problem(ANY_CIDR);
    }
    return withPrefix(Ipv4.parse(address), prefix, 32);
  }

  private static boolean hasAsciiLetter(String text) {
    return text.chars().anyMatch(c -> (c | 0x20) >= 'a' && (c | 0x20) <= 'z');
  }

  private static Parsed withPrefix(Address address, String prefixText, int bits) {
    if (address.problem() != null) {
      return Parsed.problem(address.problem());
    }
    int prefix = prefixText == null ? bits : Numbers.decimal(prefixText, bits);
    if (prefix < 0 || hasLeadingZero(prefixText)) {
      return Parsed.problem("a prefix length 0-" + bits + " after '/' (decimal, no leading zeros)");
    }
    int[] masked = mask(address.groups(), prefix, address.groupBits());
    boolean hostBits = !Arrays.equals(masked, address.groups());
    String canonical = address.format(masked) + "/" + prefix;
    return new Parsed(canonical, hostBits, null);
  }

  private static boolean hasLeadingZero(String prefixText) {
    return prefixText != null && prefixText.length() > 1 && prefixText.charAt(0) == '0';
  }

  /** Clears every bit past {@code prefix} in groups of {@code groupBits} bits each. */
  static int[] mask(int[] groups, int prefix, int groupBits) {
    int[] out = new int[groups.length];
    for (int i = 0; i < groups.length; i++) {
      int keep = Math.max(0, Math.min(groupBits, prefix - i * groupBits));
      int groupMask = ((1 << groupBits) - 1) & ~((1 << (groupBits - keep)) - 1);
      out[i] = groups[i] & groupMask;
    }
    return out;
  }

  /** A parsed address: groups of {@code groupBits} bits (octets or 16-bit groups), or a problem. */
  interface Address {
    int[] groups();

    int groupBits();

    String problem();

    String format(int[] groups);
  }

  /** IPv4 dotted quad: exactly four decimal octets 0..255 without leading zeros. */
  record Ipv4(int[] groups, String problem) implements Address {
    static Ipv4 parse(String text) {
      String[] parts = text.split("\\.", -1);
      if (parts.length != 4) {
        return failed(IPV4 + " (found " + parts.length + " octets, need 4)");
      }
      int[] octets = new int[4];
      for (int i = 0; i < 4; i++) {
        octets[i] = octet(parts[i]);
        if (octets[i] < 0) {
          return failed(IPV4 + " (" + octetProblem(parts[i]) + ")");
        }
      }
      return new Ipv4(octets, null);
    }

    private static Ipv4 failed(String problem) {
      return new Ipv4(null, problem);
    }

    private static int octet(String part) {
      if (part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
        return -1;
      }
      return Numbers.decimal(part, 255);
    }

    private static String octetProblem(String part) {
      if (part.isEmpty()) {
        return "an octet is missing";
      }
      if (Numbers.decimal(part, Integer.MAX_VALUE) == Numbers.NOT_DIGITS) {
        return "octet '" + part + "' is not a decimal number";
      }
      if (part.length() > 1 && part.charAt(0) == '0') {
        return "octet '" + part + "' has a leading zero";
      }
      return "octet '" + part + "' is over 255";
    }

    @Override
    public int groupBits() {
      return 8;
    }

    @Override
    public String format(int[] octets) {
      return octets[0] + "." + octets[1] + "." + octets[2] + "." + octets[3];
    }
  }

  /** IPv6 text: eight 16-bit groups, {@code ::} once at most, an IPv4 tail allowed. */
  record Ipv6(int[] groups, String problem) implements Address {
    static Ipv6 parse(String text) {
      int gap = text.indexOf("::");
      if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
        return failed("'::' at most once");
      }
      GroupList head = GroupList.parse(gap < 0 ? text : text.substring(0, gap), gap < 0);
      GroupList tail = GroupList.parse(gap < 0 ? "" : text.substring(gap + 2), true);
      String problem = head.problem() != null ? head.problem() : tail.problem();
      if (problem != null) {
        return failed(problem);
      }
      int count = head.groups().length + tail.groups().length;
      if (gap < 0 ? count != 8 : count > 7) {
        return failed("eight groups of hex digits, or fewer with '::'; found " + count);
      }
      int[] groups = new int[8];
      System.arraycopy(head.groups(), 0, groups, 0, head.groups().length);
      System.arraycopy(tail.groups(), 0, groups, 8 - tail.groups().length, tail.groups().length);
      return new Ipv6(groups, null);
    }

    private static Ipv6 failed(String detail) {
      return new Ipv6(null, IPV6 + " (" + detail + ")");
    }

    @Override
    public int groupBits() {
      return 16;
    }

    @Override
    public String format(int[] groups) {
      return Ipv6Format.format(groups);
    }
  }

  /** The colon-separated groups on one side of {@code ::}, the last possibly dotted IPv4. */
  record GroupList(int[] groups, String problem) {
    static GroupList parse(String text, boolean mayEndInIpv4) {
      if (text.isEmpty()) {
        return new GroupList(new int[0], null);
      }
      String[] parts = text.split(":", -1);
      int[] groups = new int[parts.length + 1];
      int count = 0;
      for (int i = 0; i < parts.length; i++) {
        boolean last = i == parts.length - 1;
        if (last && mayEndInIpv4 && parts[i].indexOf('.') >= 0) {
          return withIpv4Tail(groups, count, parts[i]);
        }
        int group = hexGroup(parts[i]);
        if (group < 0) {
          return new GroupList(null, groupProblem(parts[i]));
        }
        groups[count++] = group;
      }
      return new GroupList(Arrays.copyOf(groups, count), null);
    }

    private static GroupList withIpv4Tail(int[] groups, int count, String dotted) {
      Ipv4 tail = Ipv4.parse(dotted);
      if (tail.problem() != null) {
        return new GroupList(null, "the IPv4 part '" + dotted + "' is not four octets 0-255");
      }
      int[] o = tail.groups();
      groups[count] = (o[0] << 8) | o[1];
      groups[count + 1] = (o[2] << 8) | o[3];
      return new GroupList(Arrays.copyOf(groups, count + 2), null);
    }

    private static int hexGroup(String part) {
      if (part.isEmpty() || part.length() > 4) {
        return -1;
      }
      int value = 0;
      for (int i = 0; i < part.length(); i++) {
        int digit = hexDigit(part.charAt(i));
        if (digit < 0) {
          return -1;
        }
        value = value * 16 + digit;
      }
      return value;
    }

    private static int hexDigit(char c) {
      if (c >= '0' && c <= '9') {
        return c - '0';
      }
      char lower = (char) (c | 0x20);
      return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
    }

    private static String groupProblem(String part) {
      if (part.isEmpty()) {
        return "an empty group: use '::' for zeros, never a single ':' at either end";
      }
      if (part.chars().allMatch(c -> hexDigit((char) c) >= 0)) {
        return "group '" + part + "' has more than 4 hex digits";
      }
      return "group '" + part + "' is not hexadecimal";
    }
  }
}
