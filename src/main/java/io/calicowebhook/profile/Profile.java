package io.calicowebhook.profile;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.TreeSet;

/**
 * A pod's Calico profile (SPEC section 3): id, sorted tags, inbound and outbound rules. The
 * constructor sorts and de-duplicates the tags and refuses an id or tag Felix would reject.
 */
public record Profile(
    String id, List<String> tags, List<FelixRule> inboundRules, List<FelixRule> outboundRules) {

  public Profile {
    requireTag(id);
    tags.forEach(Profile::requireTag);
    tags = List.copyOf(new TreeSet<>(tags));
    inboundRules = List.copyOf(inboundRules);
    outboundRules = List.copyOf(outboundRules);
  }

  private static void requireTag(String tag) {
    if (!Escaping.isTag(tag)) {
      throw new IllegalArgumentException("not a valid Calico tag or profile id: " + tag);
    }
  }

  /** The value of {@code /calico/v1/policy/profile/<id>/rules}, byte-for-byte deterministic. */
  public String rulesJson() {
    return FelixJson.write(new Rules(id, inboundRules, outboundRules));
  }

  /** The value of {@code /calico/v1/policy/profile/<id>/tags}: a sorted JSON list. */
  public String tagsJson() {
    return FelixJson.write(tags);
  }

  /** The JSON shape of the rules key. */
  @JsonPropertyOrder({"id", "inbound_rules", "outbound_rules"})
  private record Rules(
      @JsonProperty("id") String id,
      @JsonProperty("inbound_rules") List<FelixRule> inboundRules,
      @JsonProperty("outbound_rules") List<FelixRule> outboundRules) {}
}
