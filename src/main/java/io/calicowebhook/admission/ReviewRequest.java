package io.calicowebhook.admission;

/**
 * {@code AdmissionReview.request}, reduced to the fields a decision reads. {@code dryRun} is null
 * when absent (false).
 */
public record ReviewRequest(
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
   * Whether this review is judged at all: a Pod itself (no subresource such as {@code status} or
   * {@code ephemeralcontainers}) being created or updated. Everything else is allowed untouched.
   */
  public boolean judgesPod() {
    return kind != null
        && kind.isPod()
        && (subResource == null || subResource.isEmpty())
        && ("CREATE".equals(operation) || "UPDATE".equals(operation));
  }

  public boolean isDryRun() {
    return Boolean.TRUE.equals(dryRun);
  }

  public boolean isUpdate() {
    return "UPDATE".equals(operation);
  }
}
