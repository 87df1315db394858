package io.calicowebhook.admission;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * {@code AdmissionReview.response}. Absent fields are left out of the JSON: a validating answer
 * never carries {@code patch} or {@code patchType}; a mutating one carries both or neither.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record AdmissionResponse(
    String uid,
    boolean allowed,
    Status status,
    String patch,
    String patchType,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> warnings) {

  public static final String JSON_PATCH = "JSONPatch";

  public AdmissionResponse {
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
  }

  /** The reason of a denial, shown to the kubectl user as the error text. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Status(int code, String reason, String message) {}

  public static AdmissionResponse allow(String uid, List<String> warnings) {
    return new AdmissionResponse(uid, true, null, null, null, warnings);
  }

  public static AdmissionResponse deny(String uid, Status status, List<String> warnings) {
    return new AdmissionResponse(uid, false, status, null, null, warnings);
  }

  /** Allowed with a base64 JSON Patch. */
  public static AdmissionResponse patch(String uid, String base64Patch, List<String> warnings) {
    return new AdmissionResponse(uid, true, null, base64Patch, JSON_PATCH, warnings);
  }

  /** The verdict label of the admission metric. */
  public String verdict() {
    if (!allowed) {
      return "denied";
    }
    return patch == null ? "allowed" : "patched";
  }
}
