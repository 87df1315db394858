package io.calicowebhook.admission;

import io.calicowebhook.pod.PodMeta;

/** Reading a Pod or workload out of a review the way the apiserver means it. */
final class Pods {
  private Pods() {}

  /** The object of a judged review; a CREATE or UPDATE without one is not a valid review. */
  static PodObject requireObject(ReviewRequest request) {
    if (request.object() == null) {
      throw BadInputException.badRequest(
          "AdmissionReview request for a "
              + request.kind().kind()
              + " "
              + request.operation()
              + " without object");
    }
    return request.object();
  }

  /** The object's namespace, else {@code request.namespace} (objects may arrive without one). */
  static String namespace(ReviewRequest request, PodObject object) {
    return orElse(object.meta().namespace(), request.namespace());
  }

  /**
   * The pod as the profile builder sees it. Validation runs after {@code generateName} is resolved,
   * so the object's name is the pod's name; {@code request.name} is the fallback.
   */
  static PodMeta podMeta(ReviewRequest request, PodObject pod) {
    ObjectMeta meta = pod.meta();
    return new PodMeta(
        namespace(request, pod),
        orElse(meta.name(), request.name()),
        meta.uid(),
        meta.labels(),
        meta.annotations(),
        pod.hostNetwork());
  }

  private static String orElse(String value, String fallback) {
    return value == null || value.isEmpty() ? fallback : value;
  }
}
