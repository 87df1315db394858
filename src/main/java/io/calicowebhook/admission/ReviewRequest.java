package io.calicowebhook.admission;

import io.calicowebhook.pod.WorkloadKind;
import java.util.Optional;

/**
 * {@code AdmissionReview.request}, reduced to the fields a decision reads. {@code dryRun} is null
 * when absent (false).
 */
record ReviewRequest(
    String uid,
    GroupVersionKind kind,
    String subResource,
    String operation,
    Boolean dryRun,
    String namespace,
    String name,
    PodObject object,
    PodObject oldObject) {

  /**
   * The kind this review judges, if any: a Pod or a workload with a pod template (SPEC section 7)
   * itself, no subresource such as {@code status}, {@code scale} or {@code ephemeralcontainers},
   * being created or updated. Every other review is allowed untouched.
   */
  public Optional<WorkloadKind> judged() {
    boolean createOrUpdate = "CREATE".equals(operation) || "UPDATE".equals(operation);
    if (kind == null || !createOrUpdate || (subResource != null && !subResource.isEmpty())) {
      return Optional.empty();
    }
    return kind.workload();
  }

  public boolean isDryRun() {
    return Boolean.TRUE.equals(dryRun);
  }

  public boolean isUpdate() {
    return "UPDATE".equals(operation);
  }
}
