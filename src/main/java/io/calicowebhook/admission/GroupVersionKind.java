package io.calicowebhook.admission;

/** {@code request.kind} of an admission review: {@code /v1, Kind=Pod} is group "", version v1. */
public record GroupVersionKind(String group, String version, String kind) {
  /** The core group is written as an empty string, sometimes left out; both mean "". */
  public boolean isPod() {
    return (group == null || group.isEmpty()) && "v1".equals(version) && "Pod".equals(kind);
  }
}
