package io.calicowebhook.profile;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import io.calicowebhook.policy.Cidr;
import io.calicowebhook.policy.Endpoint;
import io.calicowebhook.policy.Icmp;
import io.calicowebhook.policy.PortRange;
import io.calicowebhook.policy.Protocol;
import io.calicowebhook.policy.Rule;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A rule exactly as Felix reads it (SPEC section 4); unset fields are absent from the JSON. Ports
 * are {@link Integer} or {@code "N:M"} strings.
 *
 * <p>Made by name, never by position: {@link #of(Rule, String)} for a parsed rule, {@link
 * #allowAll()}, {@link #allowFromTag(String)}, or {@link #allow()} and the {@link Builder}'s {@code
 * src...}/{@code dst...} methods, so a source and a destination cannot be swapped. {@link
 * Builder#build()} refuses every value Felix would reject (unknown protocol, tags outside {@code
 * [A-Za-z0-9_.-]}, non-canonical nets, ports out of range or on a protocol without ports, ICMP
 * values out of range, a code without a type), so no instance can make Felix drop a profile.
 */
public final class FelixRule {
  private static final Set<String> PROTOCOLS = Set.of("tcp", "udp", "icmp");

  private final Fields fields;

  private FelixRule(Fields fields) {
    this.fields = fields;
  }

  /** {@code {"action":"allow"}}: all traffic. */
  public static FelixRule allowAll() {
    return allow().build();
  }

  /** Traffic from pods carrying {@code tag}, such as a namespace tag. */
  public static FelixRule allowFromTag(String tag) {
    return allow().srcTag(tag).build();
  }

  /** A builder of an allow rule; every field starts unset. */
  public static Builder allow() {
    return new Builder();
  }

  /**
   * The Felix form of a parsed rule of a pod in {@code namespace}: {@code label K=V} becomes the
   * tag {@link Escaping#labelTag} of that namespace, ports their Felix form, CIDRs their canonical
   * text.
   */
  public static FelixRule of(Rule rule, String namespace) {
    Objects.requireNonNull(namespace, "namespace");
    Builder builder = allow().protocol(protocolName(rule.protocol()));
    Icmp icmp = rule.icmp();
    if (icmp != null) {
      builder.icmpType(icmp.type()).icmpCode(icmp.code());
    }
    Endpoint from = rule.from();
    Endpoint to = rule.to();
    return builder
        .srcPorts(ports(from))
        .srcTag(tag(from, namespace))
        .srcNet(net(from))
        .dstPorts(ports(to))
        .dstTag(tag(to, namespace))
        .dstNet(net(to))
        .build();
  }

  private static String protocolName(Protocol protocol) {
    return protocol == Protocol.ANY ? null : protocol.name().toLowerCase(Locale.ROOT);
  }

  private static List<Object> ports(Endpoint endpoint) {
    return endpoint.ports().isEmpty()
        ? null
        : endpoint.ports().stream().map(FelixRule::port).toList();
  }

  /** An {@link Integer} for a single port, the string {@code "N:M"} for a range. */
  private static Object port(PortRange range) {
    return range.first() == range.last()
        ? (Object) range.first()
        : range.first() + ":" + range.last();
  }

  private static String tag(Endpoint endpoint, String namespace) {
    return endpoint.label() == null
        ? null
        : Escaping.labelTag(namespace, endpoint.label().key(), endpoint.label().value());
  }

  private static String net(Endpoint endpoint) {
    return endpoint.cidr() == null ? null : endpoint.cidr().text();
  }

  /** The rule as one line of JSON, keys in Felix's usual order. */
  public String toJson() {
    return FelixJson.write(this);
  }

  /** What Jackson writes: the fields, unset ones left out. */
  @JsonValue
  Fields fields() {
    return fields;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof FelixRule rule && fields.equals(rule.fields);
  }

  @Override
  public int hashCode() {
    return fields.hashCode();
  }

  @Override
  public String toString() {
    return toJson();
  }

  /** Names each field of a rule; {@link #build()} checks them together. */
  public static final class Builder {
    private String protocol;
    private Integer icmpType;
    private Integer icmpCode;
    private List<Object> srcPorts;
    private String srcTag;
    private String srcNet;
    private List<Object> dstPorts;
    private String dstTag;
    private String dstNet;

    private Builder() {}

    /** {@code tcp}, {@code udp} or {@code icmp}; null for any protocol. */
    public Builder protocol(String protocol) {
      this.protocol = protocol;
      return this;
    }

    public Builder icmpType(Integer type) {
      this.icmpType = type;
      return this;
    }

    public Builder icmpCode(Integer code) {
      this.icmpCode = code;
      return this;
    }

    /** Source ports, each an {@link Integer} or {@code "N:M"}; null for any. */
    public Builder srcPorts(List<Object> ports) {
      this.srcPorts = ports;
      return this;
    }

    public Builder srcTag(String tag) {
      this.srcTag = tag;
      return this;
    }

    /** Source network as canonical CIDR text. */
    public Builder srcNet(String net) {
      this.srcNet = net;
      return this;
    }

    /** Destination ports, each an {@link Integer} or {@code "N:M"}; null for any. */
    public Builder dstPorts(List<Object> ports) {
      this.dstPorts = ports;
      return this;
    }

    public Builder dstTag(String tag) {
      this.dstTag = tag;
      return this;
    }

    /** Destination network as canonical CIDR text. */
    public Builder dstNet(String net) {
      this.dstNet = net;
      return this;
    }

    /**
     * The rule.
     *
     * @throws IllegalArgumentException for any value Felix would reject
     */
    public FelixRule build() {
      require(protocol == null || PROTOCOLS.contains(protocol), "unknown protocol");
      require(isTag(srcTag) && isTag(dstTag), "tags must match " + Escaping.TAG);
      require(isNet(srcNet) && isNet(dstNet), "nets must be canonical CIDRs");
      checkIcmp();
      return new FelixRule(
          new Fields(
              "allow",
              protocol,
              icmpType,
              icmpCode,
              checkedPorts(srcPorts),
              srcTag,
              srcNet,
              checkedPorts(dstPorts),
              dstTag,
              dstNet));
    }

    private List<Object> checkedPorts(List<Object> ports) {
      if (ports == null) {
        return null;
      }
      require("tcp".equals(protocol) || "udp".equals(protocol), "ports need tcp or udp");
      require(!ports.isEmpty(), "a port list is never empty");
      ports.forEach(port -> require(isPort(port), "bad port " + port));
      return List.copyOf(ports);
    }

    private void checkIcmp() {
      require(icmpType == null || "icmp".equals(protocol), "icmp_type needs protocol icmp");
      require(icmpType == null || isByte(icmpType), "icmp_type must be 0..255");
      require(icmpCode == null || icmpType != null, "icmp_code needs icmp_type");
      require(icmpCode == null || isByte(icmpCode), "icmp_code must be 0..255");
    }
  }

  private static void require(boolean condition, String problem) {
    if (!condition) {
      throw new IllegalArgumentException(problem);
    }
  }

  private static boolean isTag(String tag) {
    return tag == null || Escaping.isTag(tag);
  }

  private static boolean isNet(String net) {
    if (net == null) {
      return true;
    }
    try {
      return new Cidr(net).text().equals(net);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean isPort(Object port) {
    if (port instanceof Integer single) {
      return isPortNumber(single);
    }
    if (!(port instanceof String range) || !range.matches("(0|[1-9][0-9]{0,4}):[1-9][0-9]{0,4}")) {
      return false;
    }
    int colon = range.indexOf(':');
    int first = Integer.parseInt(range.substring(0, colon));
    int last = Integer.parseInt(range.substring(colon + 1));
    return isPortNumber(last) && first < last;
  }

  private static boolean isPortNumber(int port) {
    return port >= 0 && port <= PortRange.MAX_PORT;
  }

  private static boolean isByte(int value) {
    return value >= 0 && value <= Icmp.MAX_BYTE;
  }

  /** The JSON shape, in Felix's key order; null fields are absent. */
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
  record Fields(
      @JsonProperty("action") String action,
      @JsonProperty("protocol") String protocol,
      @JsonProperty("icmp_type") Integer icmpType,
      @JsonProperty("icmp_code") Integer icmpCode,
      @JsonProperty("src_ports") List<Object> srcPorts,
      @JsonProperty("src_tag") String srcTag,
      @JsonProperty("src_net") String srcNet,
      @JsonProperty("dst_ports") List<Object> dstPorts,
      @JsonProperty("dst_tag") String dstTag,
      @JsonProperty("dst_net") String dstNet) {}
}
