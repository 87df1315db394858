package io.calicowebhook.policy;

import io.calicowebhook.policy.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parses a {@code projectcalico.org/policy} annotation value (SPEC section 2):
 *
 * <pre>
 * annotation  = rule *( ";" rule )
 * rule        = "allow" [ tcp-udp / icmp / any ]
 * tcp-udp     = ( "tcp" / "udp" ) [ "from" port-match ] [ "to" port-match ]
 * port-match  = [ "ports" ports ] [ "label" label ] [ "cidr" cidr ]
 * icmp        = "icmp" [ "type" byte [ "code" byte ] ] [ "from" match ] [ "to" match ]
 * any         = [ "from" match ] [ "to" match ]
 * match       = [ "label" label ] [ "cidr" cidr ]
 * ports       = port *( "," port )          ; no spaces inside the list
 * port        = number / number ":" number  ; 0..65535; a range needs start &lt; end
 * byte        = number                      ; 0..255
 * number      = 1*DIGIT                     ; ASCII digits only, no sign
 * label       = key "=" value               ; a Kubernetes label
 * cidr        = IPv4 or IPv6 address, optional "/" prefix length
 * </pre>
 *
 * <p>The {@link Lexer} reads the value as tokens; there is one method per grammar rule, each
 * looking ahead one token with {@link #peek()} and taking tokens with {@link #consume()} (the style
 * of Kubernetes' label selector parser). Each rule is parsed on its own: the first mistake in a
 * rule becomes its {@link PolicyError} and parsing resumes after the next {@code ;}, so every bad
 * rule is found. The first {@link #MAX_KEPT} errors and warnings are kept; past that they are only
 * counted ({@link PolicyResult#badRules()}, {@link PolicyResult#warningCount()}), so a 256 KiB
 * annotation of {@code ;} yields 20 errors and a count, not 262,145 errors. Linear time; {@link
 * #parse} never throws.
 */
public final class PolicyParser {
  /** How many errors, and how many warnings, a result keeps; the rest are only counted. */
  public static final int MAX_KEPT = 20;

  private static final Set<String> KEYWORDS =
      Set.of("allow", "tcp", "udp", "icmp", "type", "code", "from", "to", "ports", "label", "cidr");
  private static final List<String> ELEMENTS = List.of("ports", "label", "cidr");
  private static final String IN_PORT_LIST = "in port list";
  private static final String PORT = "a port number (0-65535) or a range N:M";
  private static final String NO_SPACES =
      "no spaces inside a port list (write the list as one word, e.g. 80,443)";

  private final String annotationKey;
  private final Lexer lexer;
  private final List<Rule> rules = new ArrayList<>();
  private final List<PolicyError> errors = new ArrayList<>();
  private final List<PolicyWarning> warnings = new ArrayList<>();
  private int badRules;
  private int warningCount;
  private int ruleNumber;
  private RuleState state = new RuleState();

  private PolicyParser(String annotationKey, Lexer lexer) {
    this.annotationKey = annotationKey;
    this.lexer = lexer;
  }

  /**
   * Parses a whole annotation value.
   *
   * @param annotationKey the key the value was read from, named in every error message
   * @param value the annotation value
   * @return the rules, or every error of every bad rule; never throws on any input
   */
  public static PolicyResult parse(String annotationKey, String value) {
    PolicyParser parser = new PolicyParser(annotationKey, new Lexer(value == null ? "" : value));
    parser.annotation();
    return new PolicyResult(
        parser.errors.isEmpty() ? parser.rules : List.of(),
        parser.errors,
        parser.warnings,
        parser.badRules,
        parser.warningCount);
  }

  /** annotation = rule *( ";" rule ) */
  private void annotation() {
    do {
      ruleNumber++;
      ruleOrError();
    } while (consumeIf(Kind.SEMICOLON));
  }

  private void ruleOrError() {
    state = new RuleState();
    try {
      Rule rule = rule();
      if (badRules == 0) {
        rules.add(rule); // an invalid annotation yields no rules: stop collecting them
      }
      keep(warnings, state.warnings);
      warningCount += state.warnings.size();
    } catch (Failure failure) {
      keep(errors, List.of(failure.error));
      badRules++;
      while (!peek().endsRule()) {
        lexer.advance();
      }
    }
  }

  /** rule = "allow" [ tcp-udp / icmp / any ] */
  private Rule rule() {
    Token action = peek();
    if (action.endsRule()) {
      throw emptyRule(action);
    }
    if (!action.is("allow")) {
      throw fail(action, "'allow'" + actionHint(action));
    }
    consume();
    expectNext("tcp", "udp", "icmp", "from", "to");
    Rule rule =
        switch (peek().text()) {
          case "tcp", "udp" -> tcpUdp();
          case "icmp" -> icmp();
          default -> any();
        };
    endOfRule();
    if (rule.allowsAll()) {
      state.warnings.clear();
      warn(action, "this rule allows all traffic (it names no protocol, source or destination)");
    }
    return rule;
  }

  /** tcp-udp = ( "tcp" / "udp" ) [ "from" port-match ] [ "to" port-match ] */
  private Rule tcpUdp() {
    Protocol protocol = consume().is("tcp") ? Protocol.TCP : Protocol.UDP;
    state.protocol = protocol;
    expectNext("from", "to");
    Endpoint from = clause("from");
    Endpoint to = clause("to");
    return new Rule(protocol, null, from, to);
  }

  /** port-match = [ "ports" ports ] [ "label" label ] [ "cidr" cidr ] */
  private Endpoint portMatch() {
    List<PortRange> ports = element("ports") ? ports() : List.of();
    Label label = element("label") ? label() : null;
    Cidr cidr = element("cidr") ? cidr() : null;
    return new Endpoint(ports, label, cidr);
  }

  /** icmp = "icmp" [ "type" byte [ "code" byte ] ] [ "from" match ] [ "to" match ] */
  private Rule icmp() {
    consume();
    state.protocol = Protocol.ICMP;
    expectNext("type", "from", "to");
    Icmp icmp = peek().is("type") ? icmpTypeAndCode() : null;
    Endpoint from = clause("from");
    Endpoint to = clause("to");
    return new Rule(Protocol.ICMP, icmp, from, to);
  }

  /** The {@code "type" byte [ "code" byte ]} part of {@code icmp}. */
  private Icmp icmpTypeAndCode() {
    consume();
    int type = byteValue("an ICMP type number (0-255) after 'type'");
    state.hasType = true;
    expectNext("code", "from", "to");
    if (!peek().is("code")) {
      return new Icmp(type, null);
    }
    consume();
    int code = byteValue("an ICMP code number (0-255) after 'code'");
    expectNext("from", "to");
    return new Icmp(type, code);
  }

  /** any = [ "from" match ] [ "to" match ] */
  private Rule any() {
    Endpoint from = clause("from");
    Endpoint to = clause("to");
    return new Rule(Protocol.ANY, null, from, to);
  }

  /** match = [ "label" label ] [ "cidr" cidr ] */
  private Endpoint match() {
    Label label = element("label") ? label() : null;
    Cidr cidr = element("cidr") ? cidr() : null;
    return new Endpoint(List.of(), label, cidr);
  }

  /**
   * An optional {@code "from"} or {@code "to"} clause: {@code port-match} for tcp and udp rules,
   * {@code match} otherwise. An empty clause matches anything and draws a warning.
   */
  private Endpoint clause(String direction) {
    if (!peek().is(direction)) {
      return Endpoint.ANY;
    }
    Token keyword = consume();
    state.clause = direction;
    state.clausePorts = state.protocol.hasPorts();
    state.clauseLast = -1;
    expectNext(clauseFollowers());
    Endpoint endpoint = state.clausePorts ? portMatch() : match();
    if (endpoint.isAny()) {
      String side = "from".equals(direction) ? "source" : "destination";
      warn(
          keyword,
          "'"
              + direction
              + "' with nothing after it matches any "
              + side
              + "; was something left out?");
    }
    return endpoint;
  }

  /** Consumes the clause element keyword {@code name} when it comes next. */
  private boolean element(String name) {
    if (!peek().is(name)) {
      return false;
    }
    consume();
    state.clauseLast = ELEMENTS.indexOf(name);
    expectNext(clauseFollowers());
    return true;
  }

  /** What may follow in the current clause: later elements, {@code to} after {@code from}. */
  private String[] clauseFollowers() {
    List<String> followers = new ArrayList<>();
    for (int i = state.clauseLast + 1; i < ELEMENTS.size(); i++) {
      followers.add(ELEMENTS.get(i));
    }
    if (!state.clausePorts) {
      followers.remove("ports");
    }
    if ("from".equals(state.clause)) {
      followers.add("to");
    }
    return followers.toArray(String[]::new);
  }

  /** ports = port *( "," port ) ; no spaces inside the list */
  private List<PortRange> ports() {
    Token list = value("a port list such as 80,443 or 8000:8080 after 'ports'");
    String[] elements = list.text().split(",", -1);
    List<PortRange> ports = new ArrayList<>(elements.length);
    int column = list.column();
    for (int i = 0; i < elements.length; i++) {
      if (elements[i].isEmpty()) {
        throw emptyPort(column, i == elements.length - 1);
      }
      ports.add(port(elements[i], column));
      column += elements[i].codePointCount(0, elements[i].length()) + 1;
    }
    Token next = peek();
    if (next.kind() == Kind.WORD && startsLikePort(next.text())) {
      throw fail(next, NO_SPACES);
    }
    return ports;
  }

  /** An empty element: a leading, doubled or trailing comma, or a space after a comma. */
  private Failure emptyPort(int column, boolean last) {
    if (!last) {
      return failAt(column, ",", PORT + " on both sides of every ','", IN_PORT_LIST);
    }
    Token next = peek();
    if (next.kind() == Kind.WORD && Character.isDigit(next.text().codePointAt(0))) {
      return fail(next, NO_SPACES);
    }
    return failAt(column - 1, ",", PORT + " on both sides of every ','", IN_PORT_LIST);
  }

  private static boolean startsLikePort(String text) {
    char first = text.charAt(0);
    return first == ',' || (first >= '0' && first <= '9');
  }

  /** port = number / number ":" number ; 0..65535; a range needs start &lt; end */
  private PortRange port(String element, int column) {
    int colon = element.indexOf(':');
    if (colon < 0) {
      return PortRange.of(portNumber(element, element, column));
    }
    int first = portNumber(element.substring(0, colon), element, column);
    int last = portNumber(element.substring(colon + 1), element, column);
    if (first >= last) {
      throw failAt(column, element, "a range N:M with N < M", IN_PORT_LIST);
    }
    return new PortRange(first, last);
  }

  private int portNumber(String digits, String element, int column) {
    int value = number(digits, PortRange.MAX_PORT);
    if (value < 0) {
      throw failAt(column, element, PORT + asciiHint(digits), IN_PORT_LIST);
    }
    return value;
  }

  /** byte = number ; 0..255 */
  private int byteValue(String expected) {
    Token token = value(expected);
    int value = number(token.text(), Icmp.MAX_BYTE);
    if (value < 0) {
      throw fail(token, expected + asciiHint(token.text()));
    }
    return value;
  }

  /**
   * number = 1*DIGIT ; ASCII digits only, no sign. Returns the value, or a negative {@link Numbers}
   * code.
   */
  private static int number(String text, int max) {
    return Numbers.decimal(text, max);
  }

  /** label = key "=" value ; a Kubernetes label */
  private Label label() {
    Token token = value("a label key=value after 'label'");
    String text = token.text();
    String problem = Labels.problem(text);
    if (problem != null) {
      throw fail(token, problem);
    }
    int eq = text.indexOf('=');
    return new Label(text.substring(0, eq), text.substring(eq + 1));
  }

  /** cidr = IPv4 or IPv6 address, optional "/" prefix length */
  private Cidr cidr() {
    Token token = value("a CIDR such as 10.0.0.0/8 or 2001:db8::/32 after 'cidr'");
    Cidrs.Parsed parsed = Cidrs.parse(token.text());
    if (parsed.problem() != null) {
      throw fail(token, parsed.problem());
    }
    if (parsed.hostBits()) {
      warn(
          token,
          "cidr "
              + token.text()
              + " has host bits set; it is used as the network "
              + parsed.canonical());
    }
    return new Cidr(parsed.canonical());
  }

  /** Takes the value after a keyword: a word that is not itself a keyword. */
  private Token value(String expected) {
    Token token = peek();
    if (token.endsRule() || KEYWORDS.contains(token.text())) {
      throw fail(token, expected);
    }
    return consume();
  }

  private void endOfRule() {
    Token token = peek();
    if (!token.endsRule()) {
      throw fail(token, joinNext() + hint(token));
    }
  }

  // ---- hints: what a user needs to hear about a token in the wrong place ----

  private static String actionHint(Token token) {
    boolean shouted = "allow".equals(token.text().toLowerCase(Locale.ROOT));
    return shouted ? " (keywords are lowercase)" : " (only 'allow' rules exist)";
  }

  private String hint(Token token) {
    String text = token.text();
    String lower = text.toLowerCase(Locale.ROOT);
    if (!lower.equals(text) && KEYWORDS.contains(lower)) {
      return " (keywords are lowercase)";
    }
    String hint =
        switch (text) {
          case "tag" -> "the old 'tag' keyword is gone: labels are written 'label key=value'";
          case "allow" -> "one 'allow' per rule: separate rules with ';'";
          case "deny", "reject", "drop" -> "only 'allow' rules exist";
          case "tcp", "udp", "icmp" -> "the protocol comes right after 'allow'";
          case "type", "code" -> icmpHint(text);
          case "from" ->
              "to".equals(state.clause)
                  ? "'from' comes before 'to'"
                  : "at most one 'from' per rule";
          case "to" -> "at most one 'to' per rule";
          case "ports", "label", "cidr" -> elementHint(text);
          default -> null;
        };
    return hint == null ? "" : " (" + hint + ")";
  }

  private String icmpHint(String text) {
    if (state.protocol != Protocol.ICMP) {
      return "'type' and 'code' belong to icmp rules, right after 'icmp'";
    }
    if ("code".equals(text) && !state.hasType) {
      return "an ICMP 'code' needs a 'type' before it";
    }
    return "'type' and 'code' come right after 'icmp', before 'from' and 'to'";
  }

  private String elementHint(String text) {
    int index = ELEMENTS.indexOf(text);
    if (state.clause == null) {
      return "'" + text + "' belongs in a 'from' or 'to' clause";
    }
    if (index == 0 && !state.clausePorts) {
      return "ports need a tcp or udp rule";
    }
    if (index == state.clauseLast) {
      return index == 1
          ? "one label per clause: write another rule for a second label"
          : "at most one '" + text + "' per clause";
    }
    return "inside a clause the order is 'ports', then 'label', then 'cidr'";
  }

  private Failure emptyRule(Token token) {
    if (token.kind() == Kind.SEMICOLON) {
      return failAt(
          token.column(),
          ";",
          "a rule starting with 'allow' (empty rule: remove the extra ';')",
          null);
    }
    if (ruleNumber == 1) {
      return fail(token, "a rule starting with 'allow' (the annotation is empty)");
    }
    return fail(token, "a rule starting with 'allow' (remove the trailing ';')");
  }

  // ---- token stream ----

  private Token peek() {
    return lexer.peek();
  }

  private Token consume() {
    Token token = lexer.peek();
    lexer.advance();
    return token;
  }

  private boolean consumeIf(Kind kind) {
    if (peek().kind() != kind) {
      return false;
    }
    lexer.advance();
    return true;
  }

  private void expectNext(String... keywords) {
    state.next = List.of(keywords);
  }

  /** {@code 'a', 'b' or end of rule}: what may follow at this point of the rule. */
  private String joinNext() {
    StringBuilder out = new StringBuilder();
    for (String keyword : state.next) {
      out.append('\'').append(keyword).append("', ");
    }
    if (out.length() > 0) {
      out.setLength(out.length() - 2);
      out.append(" or ");
    }
    return out.append("end of rule").toString();
  }

  private static String asciiHint(String text) {
    return Numbers.nonAsciiDigits(text) ? " (ASCII digits 0-9 only)" : "";
  }

  // ---- results ----

  /** Adds {@code more} to {@code kept} up to {@link #MAX_KEPT} entries. */
  private static <T> void keep(List<T> kept, List<T> more) {
    int room = MAX_KEPT - kept.size();
    kept.addAll(more.subList(0, Math.max(0, Math.min(room, more.size()))));
  }

  private void warn(Token token, String text) {
    state.warnings.add(new PolicyWarning(annotationKey, ruleNumber, token.column(), text));
  }

  private Failure fail(Token token, String expected) {
    String found = token.kind() == Kind.WORD ? token.text() : "";
    return failAt(token.column(), found, expected, null);
  }

  private Failure failAt(int column, String found, String expected, String context) {
    return new Failure(
        new PolicyError(annotationKey, ruleNumber, column, found, expected, context));
  }

  /** Where the parser stands in the current rule, for warnings and for what to expect next. */
  private static final class RuleState {
    final List<PolicyWarning> warnings = new ArrayList<>();
    List<String> next = List.of();
    Protocol protocol = Protocol.ANY;
    boolean hasType;
    String clause;
    int clauseLast = -1;
    boolean clausePorts;
  }

  /**
   * Unwinds from the point of a mistake to {@link #ruleOrError()}, which records the error; never
   * leaves the parser. Carries no stack trace.
   */
  private static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient PolicyError error;

    Failure(PolicyError error) {
      super(null, null, false, false);
      this.error = error;
    }
  }
}
