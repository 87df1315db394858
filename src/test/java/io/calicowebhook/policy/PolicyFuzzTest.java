package io.calicowebhook.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.calicowebhook.profile.FelixRule;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * 100,000 generated annotations with a fixed seed: token sequences from the grammar's vocabulary,
 * random code points, mutations of valid policies, and random sentences of the grammar itself
 * (random ports, ICMP values, labels and IPv4/IPv6 CIDRs around their limits). The parser never
 * throws, every error points inside the value at the text it names, and every valid result becomes
 * Felix JSON that an independent checker of SPEC section 4 accepts.
 */
class PolicyFuzzTest {
  private static final long SEED = 0x5EED_CA1C0L;
  private static final int PER_KIND = 25_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String[] VOCABULARY = {
    "allow",
    "allow",
    "allow",
    "deny",
    "ALLOW",
    "tcp",
    "udp",
    "icmp",
    "TCP",
    "sctp",
    "from",
    "to",
    "ports",
    "label",
    "cidr",
    "type",
    "code",
    "tag",
    ";",
    ";",
    ",",
    ":",
    "=",
    "/",
    "80",
    "0",
    "65535",
    "65536",
    "80,443",
    "80,",
    ",443",
    "1:2",
    "2:1",
    "8000:8080",
    "1:2:3",
    "255",
    "256",
    "٨٠",
    "role=db",
    "a=b,c=d",
    "app.kubernetes.io/name=web",
    "Example.com/x=y",
    "a_b=c.d",
    "=x",
    "k=",
    "-k=v",
    "10.0.0.0/8",
    "1.2.3.4",
    "010.0.0.1",
    "1.2.3",
    "10.0.0.1/8",
    "::1",
    "2001:DB8::/32",
    "::ffff:1.2.3.4",
    "fe80::1%eth0",
    "1::2::3",
    "1.2.3.4/33",
    "x",
    "\u00e9",
    "\uD83D\uDE00",
    "\u0000",
    "\uD800",
  };
  private static final String[] SEPARATORS = {" ", " ", " ", "\t", "\n", "\r\n", "  ", ""};
  private static final String[] VALID = {
    "allow",
    "allow from label role=backend; allow tcp to ports 4001,443",
    "allow tcp to ports 80,8000:8080",
    "allow udp from ports 53 cidr 10.0.0.0/8",
    "allow icmp type 8 code 0 from cidr 1.2.3.4",
    "allow tcp from ports 1:2 label app.kubernetes.io/name=web cidr 2001:db8::/32 to ports 443"
        + " label tier=front cidr 0.0.0.0/0",
    "allow to label a=b cidr ::ffff:1.2.3.4; allow icmp; allow udp to ports 53",
  };

  private final Random random = new Random(SEED);

  @Test
  void neverThrowsAndOnlyWritesRulesFelixAccepts() throws Exception {
    int valid = 0;
    for (int i = 0; i < PER_KIND; i++) {
      valid += check(tokenSequence());
      check(randomCodePoints());
      valid += check(mutation());
      valid += check(sentence());
    }
    assertTrue(valid > PER_KIND / 2, "the generators reach valid policies too: " + valid);
  }

  private int check(String policy) throws Exception {
    PolicyResult result;
    try {
      result = PolicyParser.parse("fuzz", policy);
    } catch (RuntimeException | StackOverflowError e) {
      throw new AssertionError("parse threw on " + quoted(policy), e);
    }
    int length = policy.codePointCount(0, policy.length());
    int rules = (int) policy.chars().filter(c -> c == ';').count() + 1;
    for (PolicyError error : result.errors()) {
      checkError(policy, length, rules, error);
    }
    for (PolicyWarning warning : result.warnings()) {
      boolean inside = warning.rule() >= 1 && warning.rule() <= rules && warning.column() >= 1;
      assertTrue(inside && warning.column() <= length + 1, () -> quoted(policy));
    }
    if (!result.valid()) {
      assertTrue(result.rules().isEmpty());
      return 0;
    }
    assertEquals(rules, result.rules().size(), () -> quoted(policy));
    for (Rule rule : result.rules()) {
      checkFelix(policy, JSON.readTree(FelixRule.of(rule, "fuzz-ns_1").toJson()));
    }
    return 1;
  }

  private static void checkError(String policy, int length, int rules, PolicyError error) {
    Supplier<String> where = () -> quoted(policy) + " -> " + error.message();
    assertTrue(error.rule() >= 1 && error.rule() <= rules, where);
    assertTrue(error.column() >= 1 && error.column() <= length + 1, where);
    assertTrue(error.message().startsWith("fuzz: rule " + error.rule() + ", column "), where);
    if (!error.found().isEmpty()) {
      int start = policy.offsetByCodePoints(0, error.column() - 1);
      assertTrue(policy.startsWith(error.found(), start), where);
    }
  }

  // ---- an independent checker of SPEC section 4 ----

  private static final Set<String> KEYS =
      Set.of(
          "action",
          "protocol",
          "src_tag",
          "dst_tag",
          "src_net",
          "dst_net",
          "src_ports",
          "dst_ports",
          "icmp_type",
          "icmp_code");
  private static final Pattern TAG = Pattern.compile("^[A-Za-z0-9_.-]+$");
  private static final Pattern RANGE = Pattern.compile("^(0|[1-9][0-9]{0,4}):(0|[1-9][0-9]{0,4})$");
  private static final Pattern NET = Pattern.compile("^([0-9a-f:.]+)/(0|[1-9][0-9]{0,2})$");

  static void checkFelix(String policy, JsonNode rule) throws Exception {
    String where = quoted(policy) + " -> " + rule;
    for (Iterator<String> names = rule.fieldNames(); names.hasNext(); ) {
      assertTrue(KEYS.contains(names.next()), where);
    }
    assertEquals("allow", rule.path("action").asText(), where);
    String protocol = rule.has("protocol") ? rule.get("protocol").asText() : null;
    assertTrue(protocol == null || Set.of("tcp", "udp", "icmp").contains(protocol), where);
    for (String key : List.of("src_tag", "dst_tag")) {
      assertTrue(!rule.has(key) || TAG.matcher(rule.get(key).asText()).matches(), where);
    }
    for (String key : List.of("src_ports", "dst_ports")) {
      if (rule.has(key)) {
        assertTrue("tcp".equals(protocol) || "udp".equals(protocol), where);
        checkPorts(rule.get(key), where);
      }
    }
    checkIcmp(rule, protocol, where);
    for (String key : List.of("src_net", "dst_net")) {
      if (rule.has(key)) {
        checkNet(rule.get(key).asText(), where);
      }
    }
  }

  private static void checkPorts(JsonNode ports, String where) {
    assertTrue(ports.isArray() && ports.size() > 0, where);
    for (JsonNode port : ports) {
      if (port.isInt()) {
        assertTrue(port.intValue() >= 0 && port.intValue() <= 65535, where);
        continue;
      }
      Matcher range = RANGE.matcher(port.isTextual() ? port.textValue() : "");
      assertTrue(range.matches(), where);
      int first = Integer.parseInt(range.group(1));
      int last = Integer.parseInt(range.group(2));
      assertTrue(first < last && last <= 65535, where);
    }
  }

  private static void checkIcmp(JsonNode rule, String protocol, String where) {
    for (String key : List.of("icmp_type", "icmp_code")) {
      if (rule.has(key)) {
        assertEquals("icmp", protocol, where);
        assertTrue(rule.get(key).isInt(), where);
        assertTrue(rule.get(key).intValue() >= 0 && rule.get(key).intValue() <= 255, where);
      }
    }
    assertTrue(!rule.has("icmp_code") || rule.has("icmp_type"), where);
  }

  /** Prefix present and in range, host bits clear, text in RFC 5952 form. */
  static void checkNet(String net, String where) throws Exception {
    Matcher m = NET.matcher(net);
    assertTrue(m.matches(), where);
    // Only literal addresses reach getByName (the pattern above), so no name is ever resolved.
    boolean v6 = m.group(1).contains(":");
    byte[] bytes = v6 ? ipv6Bytes(m.group(1)) : InetAddress.getByName(m.group(1)).getAddress();
    int prefix = Integer.parseInt(m.group(2));
    assertTrue(prefix <= bytes.length * 8, where);
    for (int bit = prefix; bit < bytes.length * 8; bit++) {
      assertEquals(0, (bytes[bit / 8] >> (7 - bit % 8)) & 1, where);
    }
    String expected = v6 ? rfc5952(bytes) : InetAddress.getByAddress(bytes).getHostAddress();
    assertEquals(expected, m.group(1), where);
  }

  private static byte[] ipv6Bytes(String text) throws Exception {
    byte[] bytes = InetAddress.getByName(text).getAddress();
    if (bytes.length == 16) {
      return bytes;
    }
    byte[] mapped = new byte[16]; // Java turns ::ffff:a.b.c.d into an IPv4 address
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    System.arraycopy(bytes, 0, mapped, 12, 4);
    return mapped;
  }

  /** RFC 5952 by string surgery on the full form, unlike the production code. */
  private static String rfc5952(byte[] bytes) throws Exception {
    byte[] v4 = {bytes[12], bytes[13], bytes[14], bytes[15]};
    if (isIpv4Mapped(bytes)) {
      return "::ffff:" + InetAddress.getByAddress(v4).getHostAddress();
    }
    // x:x:x:x:x:x:x:x without leading zeros
    String full = Inet6Address.getByAddress(null, bytes, -1).getHostAddress();
    String padded = ":" + full + ":";
    String best = null;
    for (int zeros = 8; zeros >= 2 && best == null; zeros--) {
      String run = ":" + "0:".repeat(zeros);
      if (padded.contains(run)) {
        best = run;
      }
    }
    if (best == null) {
      return full;
    }
    String compressed = padded.replaceFirst(Pattern.quote(best), "::");
    compressed = compressed.startsWith(":::") ? compressed.substring(1) : compressed;
    compressed = compressed.substring(compressed.startsWith("::") ? 0 : 1);
    if (compressed.endsWith(":::")) {
      return compressed.substring(0, compressed.length() - 1);
    }
    return compressed.endsWith("::")
        ? compressed
        : compressed.substring(0, compressed.length() - 1);
  }

  private static boolean isIpv4Mapped(byte[] bytes) {
    for (int i = 0; i < 10; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
  }

  // ---- generators ----

  private String tokenSequence() {
    StringBuilder out = new StringBuilder();
    int count = random.nextInt(14);
    for (int i = 0; i < count; i++) {
      out.append(pick(VOCABULARY)).append(pick(SEPARATORS));
    }
    return out.toString();
  }

  private String randomCodePoints() {
    StringBuilder out = new StringBuilder();
    int count = random.nextInt(40);
    for (int i = 0; i < count; i++) {
      int kind = random.nextInt(4);
      int cp =
          switch (kind) {
            case 0 -> 0x20 + random.nextInt(0x5f);
            case 1 -> random.nextInt(0x20);
            case 2 -> random.nextInt(0x3000);
            default -> random.nextInt(0x110000);
          };
      out.appendCodePoint(cp);
    }
    return out.toString();
  }

  private String mutation() {
    StringBuilder out = new StringBuilder(pick(VALID));
    int edits = 1 + random.nextInt(3);
    for (int i = 0; i < edits && out.length() > 0; i++) {
      int at = random.nextInt(out.length());
      switch (random.nextInt(4)) {
        case 0 -> out.deleteCharAt(at);
        case 1 -> out.insert(at, pick(new String[] {" ", ",", ";", ":", "/", "9", "a", "."}));
        case 2 -> out.setCharAt(at, (char) (' ' + random.nextInt(95)));
        default -> out.insert(at, " " + pick(VOCABULARY) + " ");
      }
    }
    return random.nextInt(10) == 0 ? "" : out.toString();
  }

  /** A random sentence of the grammar: one to four rules with random values near the limits. */
  private String sentence() {
    List<String> rules = new ArrayList<>();
    int count = 1 + random.nextInt(4);
    for (int i = 0; i < count; i++) {
      rules.add(randomRule());
    }
    return String.join(pick(new String[] {";", "; ", " ;\n", "\t;\t"}), rules);
  }

  private String randomRule() {
    StringBuilder out = new StringBuilder("allow");
    int protocol = random.nextInt(4);
    boolean ports = protocol < 2;
    out.append(new String[] {" tcp", " udp", " icmp", ""}[protocol]);
    if (protocol == 2 && random.nextBoolean()) {
      out.append(" type ").append(randomNumber(260));
      out.append(random.nextBoolean() ? " code " + randomNumber(260) : "");
    }
    out.append(random.nextBoolean() ? " from" + randomClause(ports) : "");
    out.append(random.nextBoolean() ? " to" + randomClause(ports) : "");
    return out.toString();
  }

  private String randomClause(boolean ports) {
    StringBuilder out = new StringBuilder();
    if (ports && random.nextBoolean()) {
      out.append(" ports ").append(randomPort());
      for (int i = random.nextInt(4); i > 0; i--) {
        out.append(',').append(randomPort());
      }
    }
    if (random.nextBoolean()) {
      out.append(" label ")
          .append(pick(new String[] {"role", "app.kubernetes.io/name", "a_b", "X"}));
      out.append('=').append(pick(new String[] {"db", "v1.2.3", "a-b_c", "Z9"}));
    }
    return random.nextBoolean()
        ? out.append(" cidr ").append(randomCidr()).toString()
        : out.toString();
  }

  private String randomPort() {
    int first = randomNumber(65540);
    return random.nextInt(3) > 0 ? Integer.toString(first) : first + ":" + randomNumber(65540);
  }

  private int randomNumber(int bound) {
    return random.nextBoolean() ? random.nextInt(bound) : bound - 1 - random.nextInt(8);
  }

  private String randomCidr() {
    StringBuilder out = new StringBuilder();
    boolean v6 = random.nextBoolean();
    if (v6) {
      for (int i = 0; i < 8; i++) {
        int group = random.nextInt(3) == 0 ? random.nextInt(0x10000) : 0;
        out.append(i > 0 ? ":" : "").append(Integer.toHexString(group));
      }
    } else {
      out.append(random.nextInt(256))
          .append('.')
          .append(random.nextInt(256))
          .append(".0.")
          .append(random.nextInt(256));
    }
    String text =
        v6 && random.nextBoolean()
            ? out.toString().replaceFirst("(^|:)0(:0)+(:|$)", "::")
            : out.toString();
    return random.nextInt(4) == 0 ? text : text + "/" + random.nextInt(v6 ? 130 : 34);
  }

  private String pick(String[] choices) {
    return choices[random.nextInt(choices.length)];
  }

  private static String quoted(String policy) {
    StringBuilder out = new StringBuilder("\"");
    policy
        .codePoints()
        .forEach(
            cp ->
                out.append(
                    cp < 0x20 || cp > 0x7e
                        ? String.format("\\u{%x}", cp)
                        : Character.toString(cp)));
    return out.append('"').toString();
  }

  @Test
  void independentCheckerKnowsRfc5952() throws Exception {
    List<String> nets =
        new ArrayList<>(
            List.of(
                "2001:db8::1/128",
                "::/0",
                "::1/128",
                "1::/16",
                "2001:0:0:1::1/128",
                "1:2:3:4:5:6:7:0/128",
                "::ffff:1.2.3.4/128",
                "0:1:2:3:4:5:6:7/128"));
    for (String net : nets) {
      checkNet(net, net);
    }
    for (String bad :
        List.of(
            "2001:DB8::1/128",
            "2001:db8:0:0:0:0:0:1/128",
            "1:0::/16",
            "::1",
            "10.0.0.1/8",
            "::1:0:0:0:0:0/48")) {
      try {
        checkNet(bad, bad);
      } catch (AssertionError expected) {
        continue;
      }
      fail("checker accepted " + bad);
    }
  }
}
