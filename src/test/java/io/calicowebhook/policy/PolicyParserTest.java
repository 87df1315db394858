package io.calicowebhook.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The policy language of SPEC section 2, one row per case; its Felix form is in FelixRuleTest. */
class PolicyParserTest {
  private static final String KEY = "projectcalico.org/policy";

  private static PolicyResult parse(String policy) {
    return PolicyParser.parse(KEY, policy);
  }

  /** Every kind of mistake, each with its exact message. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiterString = " => ",
      quoteCharacter = '`',
      textBlock =
          """
      deny => rule 1, column 1: found 'deny', expected 'allow' (only 'allow' rules exist)
      reject from label a=b => rule 1, column 1: found 'reject', expected 'allow' (only 'allow' rules exist)
      drop => rule 1, column 1: found 'drop', expected 'allow' (only 'allow' rules exist)
      ALLOW => rule 1, column 1: found 'ALLOW', expected 'allow' (keywords are lowercase)
      Allow tcp => rule 1, column 1: found 'Allow', expected 'allow' (keywords are lowercase)
      allow TCP => rule 1, column 7: found 'TCP', expected 'tcp', 'udp', 'icmp', 'from', 'to' or end of rule (keywords are lowercase)
      allow tcp FROM cidr 1.2.3.4 => rule 1, column 11: found 'FROM', expected 'from', 'to' or end of rule (keywords are lowercase)
      allow sctp => rule 1, column 7: found 'sctp', expected 'tcp', 'udp', 'icmp', 'from', 'to' or end of rule
      allow tcp tcp => rule 1, column 11: found 'tcp', expected 'from', 'to' or end of rule (the protocol comes right after 'allow')
      allow from tcp => rule 1, column 12: found 'tcp', expected 'label', 'cidr', 'to' or end of rule (the protocol comes right after 'allow')
      allow tag role=db => rule 1, column 7: found 'tag', expected 'tcp', 'udp', 'icmp', 'from', 'to' or end of rule (the old 'tag' keyword is gone: labels are written 'label key=value')
      allow from tag role=db => rule 1, column 12: found 'tag', expected 'label', 'cidr', 'to' or end of rule (the old 'tag' keyword is gone: labels are written 'label key=value')
      allow from label a=b label c=d => rule 1, column 22: found 'label', expected 'cidr', 'to' or end of rule (one label per clause: write another rule for a second label)
      allow from label a=b,c=d => rule 1, column 18: found 'a=b,c=d', expected a single label key=value (one label per clause: write another rule for a second label)
      allow to cidr 1.2.3.4 from cidr 1.1.1.1 => rule 1, column 23: found 'from', expected end of rule ('from' comes before 'to')
      allow from cidr 1.2.3.4 from cidr 1.1.1.1 => rule 1, column 25: found 'from', expected 'to' or end of rule (at most one 'from' per rule)
      allow to label a=b to label c=d => rule 1, column 20: found 'to', expected 'cidr' or end of rule (at most one 'to' per rule)
      allow tcp from cidr 1.2.3.4 label a=b => rule 1, column 29: found 'label', expected 'to' or end of rule (inside a clause the order is 'ports', then 'label', then 'cidr')
      allow tcp from label a=b ports 80 => rule 1, column 26: found 'ports', expected 'cidr', 'to' or end of rule (inside a clause the order is 'ports', then 'label', then 'cidr')
      allow tcp from ports 80 ports 81 => rule 1, column 25: found 'ports', expected 'label', 'cidr', 'to' or end of rule (at most one 'ports' per clause)
      allow from cidr 1.2.3.4 cidr 1.2.3.5 => rule 1, column 25: found 'cidr', expected 'to' or end of rule (at most one 'cidr' per clause)
      allow tcp ports 80 => rule 1, column 11: found 'ports', expected 'from', 'to' or end of rule ('ports' belongs in a 'from' or 'to' clause)
      allow icmp from ports 80 => rule 1, column 17: found 'ports', expected 'label', 'cidr', 'to' or end of rule (ports need a tcp or udp rule)
      allow to ports 80 => rule 1, column 10: found 'ports', expected 'label', 'cidr' or end of rule (ports need a tcp or udp rule)
      allow tcp to ports 80, 443 => rule 1, column 24: found '443', expected no spaces inside a port list (write the list as one word, e.g. 80,443)
      allow tcp to ports 80 ,443 => rule 1, column 23: found ',443', expected no spaces inside a port list (write the list as one word, e.g. 80,443)
      allow tcp to ports 80 , 443 => rule 1, column 23: found ',', expected no spaces inside a port list (write the list as one word, e.g. 80,443)
      allow tcp to ports 80 443 => rule 1, column 23: found '443', expected no spaces inside a port list (write the list as one word, e.g. 80,443)
      allow tcp to ports 80, => rule 1, column 22: found ',' in port list, expected a port number (0-65535) or a range N:M on both sides of every ','
      allow tcp to ports ,80 => rule 1, column 20: found ',' in port list, expected a port number (0-65535) or a range N:M on both sides of every ','
      allow tcp to ports 80,,443 => rule 1, column 23: found ',' in port list, expected a port number (0-65535) or a range N:M on both sides of every ','
      allow tcp to ports => rule 1, column 19: found end of rule, expected a port list such as 80,443 or 8000:8080 after 'ports'
      allow tcp to ports label a=b => rule 1, column 20: found 'label', expected a port list such as 80,443 or 8000:8080 after 'ports'
      allow tcp to ports 65536 => rule 1, column 20: found '65536' in port list, expected a port number (0-65535) or a range N:M
      allow tcp to ports 80,99999999999999999999 => rule 1, column 23: found '99999999999999999999' in port list, expected a port number (0-65535) or a range N:M
      allow tcp to ports 80:80 => rule 1, column 20: found '80:80' in port list, expected a range N:M with N < M
      allow tcp to ports 90:80 => rule 1, column 20: found '90:80' in port list, expected a range N:M with N < M
      allow tcp to ports 1:2:3 => rule 1, column 20: found '1:2:3' in port list, expected a port number (0-65535) or a range N:M
      allow tcp to ports 1: => rule 1, column 20: found '1:' in port list, expected a port number (0-65535) or a range N:M
      allow tcp to ports -1 => rule 1, column 20: found '-1' in port list, expected a port number (0-65535) or a range N:M
      allow tcp to ports +80 => rule 1, column 20: found '+80' in port list, expected a port number (0-65535) or a range N:M
      allow tcp to ports ８０ => rule 1, column 20: found '８０' in port list, expected a port number (0-65535) or a range N:M (ASCII digits 0-9 only)
      allow tcp to ports 80,٤٤٣ => rule 1, column 23: found '٤٤٣' in port list, expected a port number (0-65535) or a range N:M (ASCII digits 0-9 only)
      allow icmp type => rule 1, column 16: found end of rule, expected an ICMP type number (0-255) after 'type'
      allow icmp type from cidr 1.2.3.4 => rule 1, column 17: found 'from', expected an ICMP type number (0-255) after 'type'
      allow icmp type x => rule 1, column 17: found 'x', expected an ICMP type number (0-255) after 'type'
      allow icmp type 256 => rule 1, column 17: found '256', expected an ICMP type number (0-255) after 'type'
      allow icmp type -1 => rule 1, column 17: found '-1', expected an ICMP type number (0-255) after 'type'
      allow icmp type ٨ => rule 1, column 17: found '٨', expected an ICMP type number (0-255) after 'type' (ASCII digits 0-9 only)
      allow icmp code 0 => rule 1, column 12: found 'code', expected 'type', 'from', 'to' or end of rule (an ICMP 'code' needs a 'type' before it)
      allow icmp type 8 code => rule 1, column 23: found end of rule, expected an ICMP code number (0-255) after 'code'
      allow icmp type 8 code 256 => rule 1, column 24: found '256', expected an ICMP code number (0-255) after 'code'
      allow icmp type 8 code 1 code 2 => rule 1, column 26: found 'code', expected 'from', 'to' or end of rule ('type' and 'code' come right after 'icmp', before 'from' and 'to')
      allow icmp type 8 type 9 => rule 1, column 19: found 'type', expected 'code', 'from', 'to' or end of rule ('type' and 'code' come right after 'icmp', before 'from' and 'to')
      allow icmp from cidr 1.2.3.4 type 8 => rule 1, column 30: found 'type', expected 'to' or end of rule ('type' and 'code' come right after 'icmp', before 'from' and 'to')
      allow tcp type 8 => rule 1, column 11: found 'type', expected 'from', 'to' or end of rule ('type' and 'code' belong to icmp rules, right after 'icmp')
      allow type 8 => rule 1, column 7: found 'type', expected 'tcp', 'udp', 'icmp', 'from', 'to' or end of rule ('type' and 'code' belong to icmp rules, right after 'icmp')
      allow allow => rule 1, column 7: found 'allow', expected 'tcp', 'udp', 'icmp', 'from', 'to' or end of rule (one 'allow' per rule: separate rules with ';')
      allow from label => rule 1, column 17: found end of rule, expected a label key=value after 'label'
      allow from label role => rule 1, column 18: found 'role', expected a label key=value such as role=db
      allow from label =db => rule 1, column 18: found '=db', expected a label key name of 1 to 63 characters, [A-Za-z0-9] at both ends and [-_.A-Za-z0-9] inside
      allow from label role= => rule 1, column 18: found 'role=', expected a label value of 1 to 63 characters, [A-Za-z0-9] at both ends and [-_.A-Za-z0-9] inside
      allow from label -role=db => rule 1, column 18: found '-role=db', expected a label key name of 1 to 63 characters, [A-Za-z0-9] at both ends and [-_.A-Za-z0-9] inside
      allow from label role=db- => rule 1, column 18: found 'role=db-', expected a label value of 1 to 63 characters, [A-Za-z0-9] at both ends and [-_.A-Za-z0-9] inside
      allow from label role=d@b => rule 1, column 18: found 'role=d@b', expected a label value of 1 to 63 characters, [A-Za-z0-9] at both ends and [-_.A-Za-z0-9] inside
      allow from label Example.com/role=db => rule 1, column 18: found 'Example.com/role=db', expected a label key prefix that is a DNS subdomain of at most 253 characters (lowercase letters, digits, '-' and '.', e.g. app.kubernetes.io/name=web)
      allow from label example..com/role=db => rule 1, column 18: found 'example..com/role=db', expected a label key prefix that is a DNS subdomain of at most 253 characters (lowercase letters, digits, '-' and '.', e.g. app.kubernetes.io/name=web)
      allow from label -example.com/role=db => rule 1, column 18: found '-example.com/role=db', expected a label key prefix that is a DNS subdomain of at most 253 characters (lowercase letters, digits, '-' and '.', e.g. app.kubernetes.io/name=web)
      allow from label example.com/=db => rule 1, column 18: found 'example.com/=db', expected a label key name after the '/' of 1 to 63 characters, [A-Za-z0-9] at both ends and [-_.A-Za-z0-9] inside
      allow from label a/b/c=d => rule 1, column 18: found 'a/b/c=d', expected a label key name after the '/' of 1 to 63 characters, [A-Za-z0-9] at both ends and [-_.A-Za-z0-9] inside
      allow from label aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=b => rule 1, column 18: found 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=b', expected a label key name of 1 to 63 characters, [A-Za-z0-9] at both ends and [-_.A-Za-z0-9] inside
      allow from label a=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb => rule 1, column 18: found 'a=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', expected a label value of 1 to 63 characters, [A-Za-z0-9] at both ends and [-_.A-Za-z0-9] inside
      allow from cidr => rule 1, column 16: found end of rule, expected a CIDR such as 10.0.0.0/8 or 2001:db8::/32 after 'cidr'
      allow from cidr 010.0.0.1 => rule 1, column 17: found '010.0.0.1', expected an IPv4 address of four octets 0-255 without leading zeros (octet '010' has a leading zero)
      allow from cidr 1.2.3 => rule 1, column 17: found '1.2.3', expected an IPv4 address of four octets 0-255 without leading zeros (found 3 octets, need 4)
      allow from cidr 1.2.3.4.5 => rule 1, column 17: found '1.2.3.4.5', expected an IPv4 address of four octets 0-255 without leading zeros (found 5 octets, need 4)
      allow from cidr 1..3.4 => rule 1, column 17: found '1..3.4', expected an IPv4 address of four octets 0-255 without leading zeros (an octet is missing)
      allow from cidr 1.2.3.256 => rule 1, column 17: found '1.2.3.256', expected an IPv4 address of four octets 0-255 without leading zeros (octet '256' is over 255)
      allow from cidr 1.2.3.4/33 => rule 1, column 17: found '1.2.3.4/33', expected a prefix length 0-32 after '/' (decimal, no leading zeros)
      allow from cidr 1.2.3.4/ => rule 1, column 17: found '1.2.3.4/', expected a prefix length 0-32 after '/' (decimal, no leading zeros)
      allow from cidr 1.2.3.4/08 => rule 1, column 17: found '1.2.3.4/08', expected a prefix length 0-32 after '/' (decimal, no leading zeros)
      allow from cidr ::1/129 => rule 1, column 17: found '::1/129', expected a prefix length 0-128 after '/' (decimal, no leading zeros)
      allow from cidr 1::2::3 => rule 1, column 17: found '1::2::3', expected an IPv6 address such as 2001:db8::1 ('::' at most once)
      allow from cidr 12345:: => rule 1, column 17: found '12345::', expected an IPv6 address such as 2001:db8::1 (group '12345' has more than 4 hex digits)
      allow from cidr g::1 => rule 1, column 17: found 'g::1', expected an IPv6 address such as 2001:db8::1 (group 'g' is not hexadecimal)
      allow from cidr 1:2:3:4:5:6:7:8:9 => rule 1, column 17: found '1:2:3:4:5:6:7:8:9', expected an IPv6 address such as 2001:db8::1 (eight groups of hex digits, or fewer with '::'; found 9)
      allow from cidr 1:2:3:4:5:6:7 => rule 1, column 17: found '1:2:3:4:5:6:7', expected an IPv6 address such as 2001:db8::1 (eight groups of hex digits, or fewer with '::'; found 7)
      allow from cidr :1:: => rule 1, column 17: found ':1::', expected an IPv6 address such as 2001:db8::1 (an empty group: use '::' for zeros, never a single ':' at either end)
      allow from cidr fe80::1%eth0 => rule 1, column 17: found 'fe80::1%eth0', expected an IPv6 address such as 2001:db8::1 without a zone (remove the '%' and what follows)
      allow from cidr foo => rule 1, column 17: found 'foo', expected an IPv4 or IPv6 address with an optional /prefix, such as 10.0.0.0/8 or 2001:db8::/32 (host names are not allowed)
      allow from cidr example.com => rule 1, column 17: found 'example.com', expected an IPv4 or IPv6 address with an optional /prefix, such as 10.0.0.0/8 or 2001:db8::/32 (host names are not allowed)
      allow from cidr ::1.2.3 => rule 1, column 17: found '::1.2.3', expected an IPv6 address such as 2001:db8::1 (the IPv4 part '1.2.3' is not four octets 0-255)
      allow from cidr １.２.３.４ => rule 1, column 17: found '１.２.３.４', expected an IPv4 address of four octets 0-255 without leading zeros (octet '１' is not a decimal number)
      ;; => rule 1, column 1: found ';', expected a rule starting with 'allow' (empty rule: remove the extra ';')
      ;allow => rule 1, column 1: found ';', expected a rule starting with 'allow' (empty rule: remove the extra ';')
      """)
  void reportsMistakeWithExactMessage(String policy, String message) {
    PolicyResult result = parse(policy);
    assertFalse(result.valid());
    assertTrue(result.rules().isEmpty());
    PolicyError error = result.errors().get(0);
    assertEquals(KEY + ": " + message, error.message());
    assertFoundAtColumn(policy, error);
  }

  /** The found text is exactly what the column points at (or the end of the rule). */
  static void assertFoundAtColumn(String policy, PolicyError error) {
    int[] codePoints = policy.codePoints().toArray();
    int from = error.column() - 1;
    if (error.found().isEmpty()) {
      assertTrue(from == codePoints.length || codePoints[from] == ';', error::message);
      return;
    }
    int[] found = error.found().codePoints().toArray();
    String at = new String(codePoints, from, Math.min(found.length, codePoints.length - from));
    assertEquals(error.found(), at, error::message);
  }

  @Test
  void reportsSpecExampleByteForByte() {
    PolicyResult result = parse("allow from label role=backend; allow tcp to ports 80,Y");
    assertEquals(
        List.of(
            "projectcalico.org/policy: rule 2, column 54: found 'Y' in port list, expected a port"
                + " number (0-65535) or a range N:M"),
        result.errors().stream().map(PolicyError::message).toList());
  }

  @Test
  void collectsOneErrorForEveryBadRule() {
    PolicyResult result =
        parse("deny; allow tcp to ports 80; allow from tag a=b;; allow icmp code 1; allow");
    assertEquals(
        List.of(
            "rule 1, column 1: found 'deny', expected 'allow' (only 'allow' rules exist)",
            "rule 3, column 41: found 'tag', expected 'label', 'cidr', 'to' or end of rule (the"
                + " old 'tag' keyword is gone: labels are written 'label key=value')",
            "rule 4, column 49: found ';', expected a rule starting with 'allow' (empty rule:"
                + " remove the extra ';')",
            "rule 5, column 62: found 'code', expected 'type', 'from', 'to' or end of rule (an"
                + " ICMP 'code' needs a 'type' before it)"),
        result.errors().stream().map(e -> e.message().substring(KEY.length() + 2)).toList());
    assertTrue(result.rules().isEmpty(), "an invalid annotation yields no rules");
  }

  @Test
  void keepsTheFirstTwentyErrorsAndCountsEveryBadRule() {
    PolicyResult result = parse("deny;".repeat(25) + "allow; allow tcp to ports x");

    assertEquals(26, result.badRules());
    assertEquals(PolicyParser.MAX_KEPT, result.errors().size());
    assertEquals(6, result.moreBadRules());
    assertEquals(
        List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20),
        result.errors().stream().map(PolicyError::rule).toList());
    assertFalse(result.valid());
    assertTrue(result.rules().isEmpty());
  }

  @Test
  void keepsTheFirstTwentyWarningsAndCountsEveryOne() {
    PolicyResult result = parse("allow tcp from; ".repeat(30) + "allow");

    assertTrue(result.valid());
    assertEquals(31, result.rules().size());
    assertEquals(31, result.warningCount());
    assertEquals(PolicyParser.MAX_KEPT, result.warnings().size());
    assertEquals(11, result.moreWarnings());
    assertEquals(20, result.warnings().get(19).rule());
  }

  static Stream<Arguments> emptyAnnotations() {
    return Stream.of(
        Arguments.of("", 1),
        Arguments.of("   ", 4),
        Arguments.of("\t\n", 3),
        Arguments.of(null, 1));
  }

  @ParameterizedTest
  @MethodSource("emptyAnnotations")
  void rejectsEmptyAnnotation(String policy, int column) {
    assertEquals(
        List.of(
            KEY
                + ": rule 1, column "
                + column
                + ": found end of rule, expected a rule starting with 'allow' (the annotation is"
                + " empty)"),
        parse(policy).errors().stream().map(PolicyError::message).toList());
  }

  @Test
  void rejectsTrailingSemicolon() {
    assertEquals(
        List.of(
            KEY
                + ": rule 2, column 7: found end of rule, expected a rule starting with 'allow'"
                + " (remove the trailing ';')"),
        parse("allow;").errors().stream().map(PolicyError::message).toList());
  }

  @Test
  void separatesTokensByTabsAndNewlines() {
    PolicyResult result = parse("allow\ttcp\n  from\r\nports 80\n;\n\tallow udp\tto ports 53");
    assertTrue(result.valid(), () -> result.errors().toString());
    assertEquals(
        List.of(
            new Rule(
                Protocol.TCP,
                null,
                new Endpoint(List.of(PortRange.of(80)), null, null),
                Endpoint.ANY),
            new Rule(
                Protocol.UDP,
                null,
                Endpoint.ANY,
                new Endpoint(List.of(PortRange.of(53)), null, null))),
        result.rules());
  }

  @Test
  void countsColumnsAcrossLinesInTheWholeValue() {
    PolicyError error = parse("allow tcp\nto ports\t80,x").errors().get(0);
    assertEquals(23, error.column());
    assertEquals("x", error.found());
  }

  @Test
  void countsColumnsInCodePointsForNonAsciiText() {
    String policy = "allow from label r=\uD83D\uDE00 ; allow t\u00E9p";
    List<PolicyError> errors = parse(policy).errors();
    assertEquals(2, errors.size());
    assertEquals(18, errors.get(0).column());
    assertEquals("r=\uD83D\uDE00", errors.get(0).found());
    assertEquals(30, errors.get(1).column(), "the emoji counts as one column");
    errors.forEach(error -> assertFoundAtColumn(policy, error));
  }

  @Test
  void namesTheLegacyKeyInMessages() {
    PolicyError error = PolicyParser.parse("policy", "deny").errors().get(0);
    assertEquals(
        "policy: rule 1, column 1: found 'deny', expected 'allow' (only 'allow' rules exist)",
        error.message());
  }

  @Test
  void shortensVeryLongFoundTextInMessageOnly() {
    String label = "a=" + "b".repeat(500);
    PolicyError error = parse("allow from label " + label).errors().get(0);
    assertEquals(label, error.found());
    assertTrue(error.message().contains("'a=" + "b".repeat(78) + "...' (502 characters)"));
  }

  /** Valid but suspicious policies: the rule parses and a warning says why it may be wrong. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiterString = " => ",
      quoteCharacter = '`',
      textBlock =
          """
      allow => rule 1, column 1: this rule allows all traffic (it names no protocol, source or destination)
      allow from => rule 1, column 1: this rule allows all traffic (it names no protocol, source or destination)
      allow from to => rule 1, column 1: this rule allows all traffic (it names no protocol, source or destination)
      allow tcp from => rule 1, column 11: 'from' with nothing after it matches any source; was something left out?
      allow tcp from ports 80 to => rule 1, column 25: 'to' with nothing after it matches any destination; was something left out?
      allow icmp to => rule 1, column 12: 'to' with nothing after it matches any destination; was something left out?
      allow to cidr 10.0.0.1/8 => rule 1, column 15: cidr 10.0.0.1/8 has host bits set; it is used as the network 10.0.0.0/8
      allow tcp; allow from cidr 2001:db8::1/32 => rule 2, column 28: cidr 2001:db8::1/32 has host bits set; it is used as the network 2001:db8::/32
      """)
  void warnsAboutSuspiciousButValidRule(String policy, String warning) {
    PolicyResult result = parse(policy);
    assertTrue(result.valid(), () -> result.errors().toString());
    assertEquals(
        List.of(KEY + ": " + warning),
        result.warnings().stream().map(PolicyWarning::message).toList());
  }

  @Test
  void givesNoWarningForOrdinaryRules() {
    assertTrue(parse("allow tcp from label a=b to ports 80; allow icmp").warnings().isEmpty());
  }
}
