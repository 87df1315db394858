package io.calicowebhook.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.calicowebhook.profile.Escaping;
import java.util.List;
import java.util.Set;

/**
 * A rule exactly as Felix reads it (SPEC section 4); null fields are absent from the JSON. Ports
 * are {@link Integer} or {@code "N:M"} strings.
 *
 * <p>The constructor refuses every value Felix would reject (action other than allow, unknown
 * protocol, tags outside {@code [A-Za-z0-9_.-]}, non-canonical nets, ports out of range or on a
 * protocol without ports, ICMP values out of range, a code without a type), so no instance can make
 * Felix drop a profile.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "action",
  "protocol",
  "icmp_type",
  "icmp_code",
  "src_ports",
  "src_tag",
  "src_net",
  "dst_ports",
  "dst_tag",
  "dst_net"
})
public record FelixRule(
    @JsonProperty("action") String action,
    @JsonProperty("protocol") String protocol,
    @JsonProperty("src_tag") String srcTag,
    @JsonProperty("dst_tag") String dstTag,
    @JsonProperty("src_net") String srcNet,
    @JsonProperty("dst_net") String dstNet,
    @JsonProperty("src_ports") List<Object> srcPorts,
    @JsonProperty("dst_ports") List<Object> dstPorts,
    @JsonProperty("icmp_type") Integer icmpType,
    @JsonProperty("icmp_code") Integer icmpCode) {

  private static final Set<String> PROTOCOLS = Set.of("tcp", "udp", "icmp");

  public FelixRule {
    require("allow".equals(action), "action must be allow");
    require(protocol == null || PROTOCOLS.contains(protocol), "unknown protocol");
    require(isTag(srcTag) && isTag(dstTag), "tags must match " + Escaping.TAG);
    require(isNet(srcNet) && isNet(dstNet), "nets must be canonical CIDRs");
    srcPorts = checkedPorts(srcPorts, protocol);
    dstPorts = checkedPorts(dstPorts, protocol);
    checkIcmp(protocol, icmpType, icmpCode);
  }

  public static FelixRule allowAll() {
    return new FelixRule("allow", null, null, null, null, null, null, null, null, null);
  }

  /** The rule as one line of JSON, keys in the fixed order above. */
  public String toJson() {
    return FelixJson.write(this);
  }

  private static void require(boolean condition, String problem) {
    if (!condition) {
      throw new IllegalArgumentException(problem);
    }
  }

  private static boolean isTag(String tag) {
    return tag == null || Escaping.TAG.matcher(tag).matches();
  }

  private static boolean isNet(String net) {
    if (net == null) {
      return true;
    }
    Cidrs.Parsed parsed = Cidrs.parse(net);
    return parsed.problem() == null && parsed.canonical().equals(net);
  }

  private static List<Object> checkedPorts(List<Object> ports, String protocol) {
    if (ports == null) {
      return null;
    }
    require("tcp".equals(protocol) || "udp".equals(protocol), "ports need tcp or udp");
    require(!ports.isEmpty(), "a port list is never empty");
    ports.forEach(port -> require(isPort(port), "bad port " + port));
    return List.copyOf(ports);
  }

  private static boolean isPort(Object port) {
    if (port instanceof Integer single) {
      return single >= 0 && single <= PortRange.MAX_PORT;
    }
    if (!(port instanceof String range)) {
      return false;
    }
    String[] ends = range.split(":", -1);
    if (ends.length != 2) {
      return false;
    }
    int first = Numbers.decimal(ends[0], PortRange.MAX_PORT);
    int last = Numbers.decimal(ends[1], PortRange.MAX_PORT);
    return first >= 0 && first < last && range.equals(first + ":" + last);
  }

  private static void checkIcmp(String protocol, Integer type, Integer code) {
    require(type == null || "icmp".equals(protocol), "icmp_type needs protocol icmp");
    require(type == null || Icmp.isByte(type), "icmp_type must be 0..255");
    require(code == null || type != null, "icmp_code needs icmp_type");
    require(code == null || Icmp.isByte(code), "icmp_code must be 0..255");
  }
}
