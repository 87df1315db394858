package io.calicowebhook.admission;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.calicowebhook.profile.PolicyAnnotations;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The mutating webhook's decision, free of HTTP: renames the legacy annotation {@code policy} to
 * {@code projectcalico.org/policy} with a JSON Patch. When both are set the namespaced value wins
 * and the legacy key is only removed. The patch touches nothing but the annotations map, which
 * exists whenever the legacy key does, so it applies to the exact object sent (empty name, empty
 * namespace and all). The rename is one {@code move}: the value, up to 256 KiB, is never copied
 * into the answer, and arrives byte for byte.
 */
public final class Mutator {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LEGACY_PATH =
      PatchOperation.annotationPath(PolicyAnnotations.LEGACY_KEY);

  public AdmissionResponse mutate(ReviewRequest request) {
    if (!request.judgesPod()) {
      return AdmissionResponse.allow(request.uid(), List.of());
    }
    Map<String, String> annotations = Pods.requireObject(request).annotations();
    if (!annotations.containsKey(PolicyAnnotations.LEGACY_KEY)) {
      return AdmissionResponse.allow(request.uid(), List.of());
    }
    if (annotations.containsKey(PolicyAnnotations.KEY)) {
      return patch(
          request, List.of(PatchOperation.remove(LEGACY_PATH)), Warnings.removedShadowed());
    }
    List<PatchOperation> rename =
        List.of(
            PatchOperation.move(LEGACY_PATH, PatchOperation.annotationPath(PolicyAnnotations.KEY)));
    return patch(request, rename, Warnings.rewrote());
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
