package io.calicowebhook.policy;

/**
 * A network in canonical text: address with its host bits cleared, prefix always present, IPv6
 * lowercase and compressed per RFC 5952 ({@code 10.0.0.0/8}, {@code 1.2.3.4/32}, {@code
 * 2001:db8::/32}). Only canonical text can be wrapped, so Felix never sees anything else.
 */
public record Cidr(String text) {
  public Cidr {
    Cidrs.Parsed parsed = Cidrs.parse(text);
    if (parsed.problem() != null || !parsed.canonical().equals(text)) {
      throw new IllegalArgumentException("not a canonical CIDR: " + text);
    }
  }
}
