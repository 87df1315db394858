package io.calicowebhook.admission;

import io.calicowebhook.pod.WorkloadKind;
import java.util.Optional;

/** {@code request.kind} of an admission review: {@code /v1, Kind=Pod} is group "", version v1. */
record GroupVersionKind(String group, String version, String kind) {
  /** The judged kind this is, if any; the core group is written "" or left out. */
  public Optional<WorkloadKind> workload() {
    return WorkloadKind.of(group, version, kind);
  }
}
