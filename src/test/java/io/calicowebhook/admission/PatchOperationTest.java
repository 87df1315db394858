package io.calicowebhook.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.calicowebhook.pod.WorkloadKind;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PatchOperationTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @ParameterizedTest
  @CsvSource({
    "projectcalico.org/policy, projectcalico.org~1policy",
    "policy, policy",
    "a~b, a~0b",
    "~1, ~01",
    "a/~/b, a~1~0~1b"
  })
  void escapesTildeBeforeSlash(String token, String escaped) {
    assertEquals(escaped, PatchOperation.escape(token));
  }

  @Test
  void escapedPathAddsExactlyTheKeyWhenApplied() throws Exception {
    String key = "example.org/odd~key";
    List<PatchOperation> patch =
        List.of(PatchOperation.add(PatchOperation.annotationPath(key), "v"));
    JsonNode pod = JSON.readTree("{\"metadata\":{\"annotations\":{\"other\":\"x\"}}}");

    JsonNode patched = JsonPatch.apply(JSON.valueToTree(patch), pod);

    assertEquals(
        JSON.readTree("{\"metadata\":{\"annotations\":{\"other\":\"x\",\"" + key + "\":\"v\"}}}"),
        patched);
  }

  @ParameterizedTest
  @CsvSource({
    "POD,          /metadata/annotations/projectcalico.org~1policy",
    "DEPLOYMENT,   /spec/template/metadata/annotations/projectcalico.org~1policy",
    "CRON_JOB,     /spec/jobTemplate/spec/template/metadata/annotations/projectcalico.org~1policy",
    "POD_TEMPLATE, /template/metadata/annotations/projectcalico.org~1policy",
  })
  void leadsThroughTheTemplateToTheAnnotation(WorkloadKind kind, String pointer) {
    assertEquals(pointer, PatchOperation.annotationPath(kind, "projectcalico.org/policy"));
  }

  @Test
  void removeCarriesNoValue() {
    assertEquals(
        "{\"op\":\"remove\",\"path\":\"/metadata/annotations/policy\"}",
        JSON.valueToTree(PatchOperation.remove("/metadata/annotations/policy")).toString());
  }

  /** The rename as docs/admission.md shows it: one move, no value, base64 byte for byte. */
  @Test
  void moveNamesWhereFromAndCarriesNoValue() {
    PatchOperation move =
        PatchOperation.move(
            "/metadata/annotations/policy", "/metadata/annotations/projectcalico.org~1policy");
    assertEquals(
        "W3sib3AiOiJtb3ZlIiwiZnJvbSI6Ii9tZXRhZGF0YS9hbm5vdGF0aW9ucy9wb2xpY3kiLCJwYXRoIjoiL21ldGFk"
            + "YXRhL2Fubm90YXRpb25zL3Byb2plY3RjYWxpY28ub3JnfjFwb2xpY3kifV0=",
        Mutator.base64(List.of(move)));
  }
}
