package io.calicowebhook.policy;

import java.util.List;

/**
 * A rule exactly as Felix reads it (SPEC section 4); null fields are absent from the JSON. Ports
 * are {@link Integer} or {@code "N:M"} strings.
 */
public record FelixRule(
    String action,
    String protocol,
    String srcTag,
    String dstTag,
    String srcNet,
    String dstNet,
    List<Object> srcPorts,
    List<Object> dstPorts,
    Integer icmpType,
    Integer icmpCode) {

  public static FelixRule allowAll() {
    return new FelixRule("allow", null, null, null, null, null, null, null, null, null);
  }
}
