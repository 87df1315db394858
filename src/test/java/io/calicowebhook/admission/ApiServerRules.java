package io.calicowebhook.admission;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.Base64;
import java.util.Set;

/**
 * What the kube-apiserver checks in a webhook's answer (SPEC section 6). An answer that breaks any
 * of these is a failed call in a real cluster, so every test answer goes through here.
 */
public final class ApiServerRules {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> PATCH_OPS =
      Set.of("add", "remove", "replace", "move", "copy", "test");

  private ApiServerRules() {}

  /** Asserts the apiserver would accept {@code answer} to {@code review}. */
  public static void check(JsonNode review, JsonNode answer, boolean mutating) {
    assertEquals(review.get("apiVersion"), answer.get("apiVersion"), "apiVersion echoed");
    assertEquals("AdmissionReview", answer.path("kind").asText(), "kind");
    JsonNode response = answer.get("response");
    assertTrue(response != null && response.isObject(), "response present");
    assertEquals(review.at("/request/uid"), response.get("uid"), "response.uid = request.uid");
    assertTrue(response.path("allowed").isBoolean(), "allowed is a boolean");
    checkStatus(response);
    checkWarnings(response);
    if (mutating) {
      checkPatch(review, response);
    } else {
      assertFalse(response.has("patch"), "a validating webhook returns no patch");
      assertFalse(response.has("patchType"), "a validating webhook returns no patchType");
    }
  }

  private static void checkStatus(JsonNode response) {
    if (response.path("allowed").asBoolean()) {
      assertFalse(response.has("status"), "an allowed answer carries no failure status");
      return;
    }
    JsonNode status = response.path("status");
    int code = status.path("code").asInt();
    assertTrue(code >= 400 && code < 600, "a denial's status.code is an error code: " + code);
    assertFalse(status.path("message").asText().isBlank(), "a denial says why");
  }

  /** Warnings become HTTP Warning headers: the apiserver drops any with control characters. */
  private static void checkWarnings(JsonNode response) {
    if (!response.has("warnings")) {
      return;
    }
    assertTrue(response.get("warnings").isArray(), "warnings is a list");
    assertFalse(response.get("warnings").isEmpty(), "no empty warnings list is sent");
    for (JsonNode warning : response.get("warnings")) {
      assertTrue(warning.isTextual(), "a warning is a string");
      assertTrue(
          warning.asText().chars().noneMatch(Character::isISOControl),
          "no control characters in a warning: " + warning);
    }
  }

  private static void checkPatch(JsonNode review, JsonNode response) {
    assertEquals(
        response.has("patch"), response.has("patchType"), "patch and patchType come together");
    if (!response.has("patch")) {
      return;
    }
    assertEquals("JSONPatch", response.get("patchType").asText());
    JsonNode patch = decodePatch(response.get("patch").asText());
    assertTrue(patch.isArray() && !patch.isEmpty(), "a JSON Patch is a non-empty list");
    for (JsonNode operation : patch) {
      assertTrue(PATCH_OPS.contains(operation.path("op").asText()), "RFC 6902 op: " + operation);
      assertTrue(operation.path("path").asText().startsWith("/"), "JSON Pointer: " + operation);
    }
    assertDoesNotThrow(
        () -> JsonPatch.apply(patch, review.at("/request/object")), "the patch applies");
  }

  /** The patch of an answer: base64 of a JSON document. */
  public static JsonNode decodePatch(String base64) {
    byte[] bytes = assertDoesNotThrow(() -> Base64.getDecoder().decode(base64), "valid base64");
    return assertDoesNotThrow(() -> JSON.readTree(bytes), "the patch is JSON");
  }
}
