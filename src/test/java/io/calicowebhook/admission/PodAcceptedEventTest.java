package io.calicowebhook.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.calicowebhook.pod.PodMeta;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * /validate fires {@link PodAccepted} once for every Pod it allows on CREATE or UPDATE, built from
 * the final object; never for denials, dry runs, other kinds, DELETE, or /mutate.
 */
@QuarkusTest
class PodAcceptedEventTest {
  @TestHTTPResource(value = "/", tls = true)
  URL base;

  @Inject PodAcceptedRecorder recorder;

  @BeforeEach
  void forgetEvents() {
    recorder.clear();
  }

  @Test
  void firesForAllowedCreateWithTheFinalPod() {
    post("/validate", Fixtures.review("validate", "create-with-valid-policy"));

    assertEquals(
        List.of(
            new PodAccepted(
                new PodMeta(
                    "production",
                    "frontend-7d4b9c6f5-x2x4k",
                    "c1a7e2a8-3f7e-4b2a-9c1e-5d8f0e6b7a10",
                    Map.of("app", "frontend", "role", "frontend", "pod-template-hash", "7d4b9c6f5"),
                    Map.of(
                        "projectcalico.org/policy",
                        "allow from label role=backend; allow tcp to ports 4001,443",
                        "kubectl.kubernetes.io/restartedAt",
                        "2024-05-14T09:21:00Z"),
                    false))),
        recorder.events());
  }

  @Test
  void firesForAllowedUpdateWithTheNewLabels() {
    post(
        "/validate",
        Fixtures.review("validate", "update-keeping-invalid-policy-is-allowed-with-warning"));

    assertEquals(1, recorder.events().size());
    assertEquals(Map.of("app", "frontend", "tier", "web"), recorder.events().get(0).pod().labels());
  }

  @Test
  void takesNamespaceFromRequestAndNameFromRequestWhenObjectHasNone() {
    ObjectNode review = Fixtures.podCreate(Map.of());
    ObjectNode metadata = (ObjectNode) review.at("/request/object/metadata");
    metadata.remove("namespace");
    metadata.remove("name");
    ((ObjectNode) review.get("request")).put("name", "named-by-request");

    post("/validate", review);

    PodMeta pod = recorder.events().get(0).pod();
    assertEquals("production", pod.namespace());
    assertEquals("named-by-request", pod.name());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "create-with-invalid-policy-is-denied",
        "update-to-invalid-policy-is-denied",
        "create-dry-run-allowed-without-event",
        "deployment-with-valid-template-policy-is-allowed-without-event",
        "pod-delete-is-allowed-untouched",
        "pod-status-subresource-is-not-judged",
        "pod-exec-connect-is-allowed-untouched"
      })
  void staysSilentFor(String fixture) {
    post("/validate", Fixtures.review("validate", fixture));

    assertTrue(recorder.events().isEmpty(), () -> recorder.events().toString());
  }

  @Test
  void staysSilentForMutate() {
    post("/mutate", Fixtures.review("validate", "create-with-valid-policy"));

    assertTrue(recorder.events().isEmpty());
  }

  private void post(String path, ObjectNode review) {
    Tls.given(base)
        .contentType("application/json")
        .body(Fixtures.bytes(review))
        .post(path)
        .then()
        .statusCode(200);
  }
}
