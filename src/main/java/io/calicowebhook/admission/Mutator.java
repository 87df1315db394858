package io.calicowebhook.admission;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.calicowebhook.pod.PolicyAnnotations;
import io.calicowebhook.pod.WorkloadKind;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The mutating webhook's decision, free of HTTP: renames the legacy annotation {@code policy} to
 * {@code projectcalico.org/policy} with a JSON Patch, on a Pod or in a workload's pod template
 * (SPEC section 7; the patch paths lead through the template). When both are set the namespaced
 * value wins and the legacy key is only removed. The patch touches nothing but the annotations map,
 * which exists whenever the legacy key does, so it applies to the exact object sent (empty name,
 * empty namespace and all). The rename is one {@code move}: the value, up to 256 KiB, is never
 * copied into the answer, and arrives byte for byte.
 */
final class Mutator {
  private static final ObjectMapper JSON = new ObjectMapper();

  public AdmissionResponse mutate(ReviewRequest request) {
    Optional<WorkloadKind> judged = request.judged();
    if (judged.isEmpty()) {
      return AdmissionResponse.allow(request.uid(), List.of());
    }
    WorkloadKind kind = judged.get();
    PodObject pod = Pods.requireObject(request).templateAt(kind.templatePath());
    Map<String, String> annotations = pod == null ? Map.of() : pod.annotations();
    if (!annotations.containsKey(PolicyAnnotations.LEGACY_KEY)) {
      return AdmissionResponse.allow(request.uid(), List.of());
    }
    String legacyPath = PatchOperation.annotationPath(kind, PolicyAnnotations.LEGACY_KEY);
    if (annotations.containsKey(PolicyAnnotations.KEY)) {
      return patch(
          request, List.of(PatchOperation.remove(legacyPath)), Warnings.removedShadowed(kind));
    }
    List<PatchOperation> rename =
        List.of(
            PatchOperation.move(
                legacyPath, PatchOperation.annotationPath(kind, PolicyAnnotations.KEY)));
    return patch(request, rename, Warnings.rewrote(kind));
  }

  private static AdmissionResponse patch(
      ReviewRequest request, List<PatchOperation> operations, String warning) {
    return AdmissionResponse.patch(request.uid(), base64(operations), List.of(warning));
  }

  static String base64(List<PatchOperation> operations) {
    try {
      return Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(operations));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a list of string records always serializes", e);
    }
  }
}
