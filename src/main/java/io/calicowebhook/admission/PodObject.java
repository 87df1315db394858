package io.calicowebhook.admission;

import java.util.Map;

/**
 * {@code request.object} or {@code request.oldObject} reduced to what a decision needs; everything
 * else of the Pod is skipped while reading.
 */
public record PodObject(ObjectMeta metadata, Spec spec) {

  /** {@code spec.hostNetwork}, the only field of the spec that matters here. */
  public record Spec(Boolean hostNetwork) {}

  /** The object's metadata, never null. */
  public ObjectMeta meta() {
    return metadata == null ? new ObjectMeta(null, null, null, null, null, null) : metadata;
  }

  public Map<String, String> annotations() {
    return meta().annotationsOrEmpty();
  }

  public boolean hostNetwork() {
    return spec != null && Boolean.TRUE.equals(spec.hostNetwork());
  }
}
