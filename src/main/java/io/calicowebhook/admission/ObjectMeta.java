package io.calicowebhook.admission;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The part of {@code metadata} the decisions need. Maps are null when the object has none; an
 * annotation written as JSON null reads as "" (as the apiserver's Go decoder would).
 */
public record ObjectMeta(
    String name,
    String generateName,
    String namespace,
    String uid,
    Map<String, String> labels,
    Map<String, String> annotations) {

  public ObjectMeta {
    labels = nullValuesAsEmpty(labels);
    annotations = nullValuesAsEmpty(annotations);
  }

  /** The annotations, empty when the object has none. */
  public Map<String, String> annotationsOrEmpty() {
    return annotations == null ? Map.of() : annotations;
  }

  private static Map<String, String> nullValuesAsEmpty(Map<String, String> map) {
    // values().stream(): Map.containsValue(null) throws on immutable maps
    if (map == null || map.values().stream().noneMatch(Objects::isNull)) {
      return map;
    }
    Map<String, String> copy = new HashMap<>(map);
    copy.replaceAll((key, value) -> value == null ? "" : value);
    return copy;
  }
}
