package io.calicowebhook.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.JsonPatch;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fixture under {@code src/test/resources/admission/<endpoint>/<case>/}: {@code review.json}
 * is posted over HTTPS and the whole answer compared with {@code response.json} (with the patch
 * decoded from base64 for readability); the answer must satisfy {@link ApiServerRules}. For
 * /validate, {@code accepted.json} is the one {@link PodAccepted} event expected (none when the
 * file is absent); for /mutate, {@code patched.json} is the object after applying the patch.
 */
@QuarkusTest
class AdmissionFixturesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TestHTTPResource(value = "/", tls = true)
  URL base;

  @Inject PodAcceptedRecorder recorder;

  @BeforeEach
  void forgetEvents() {
    recorder.clear();
  }

  static Stream<String> validateCases() {
    return cases("validate");
  }

  static Stream<String> mutateCases() {
    return cases("mutate");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validateCases")
  void validateAnswersAsTheFixtureSays(String name) throws IOException {
    Path dir = dir("validate").resolve(name);
    JsonNode review = read(dir.resolve("review.json"));
    JsonNode answer = post("/validate", review);

    ApiServerRules.check(review, answer, false);
    assertEquals(read(dir.resolve("response.json")), answer, () -> answer.toPrettyString());
    assertEquals(expectedEvents(dir), recordedEvents());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mutateCases")
  void mutateAnswersAsTheFixtureSays(String name) throws IOException {
    Path dir = dir("mutate").resolve(name);
    JsonNode review = read(dir.resolve("review.json"));
    JsonNode answer = post("/mutate", review);

    ApiServerRules.check(review, answer, true);
    JsonNode readable = withDecodedPatch(answer);
    assertEquals(read(dir.resolve("response.json")), readable, () -> readable.toPrettyString());
    if (Files.exists(dir.resolve("patched.json"))) {
      JsonNode result =
          JsonPatch.apply(readable.at("/response/patch"), review.at("/request/object"));
      assertEquals(read(dir.resolve("patched.json")), result, () -> result.toPrettyString());
    }
    assertTrue(recorder.events().isEmpty(), "/mutate never announces a pod");
  }

  private JsonNode post(String path, JsonNode review) throws IOException {
    String body =
        Tls.given(base)
            .contentType("application/json")
            .body(JSON.writeValueAsBytes(review))
            .post(path)
            .then()
            .statusCode(200)
            .contentType("application/json")
            .extract()
            .asString();
    return JSON.readTree(body);
  }

  private static JsonNode withDecodedPatch(JsonNode answer) {
    JsonNode copy = answer.deepCopy();
    ObjectNode response = (ObjectNode) copy.get("response");
    if (response.has("patch")) {
      response.set("patch", ApiServerRules.decodePatch(response.get("patch").asText()));
    }
    return copy;
  }

  private static List<JsonNode> expectedEvents(Path dir) throws IOException {
    Path file = dir.resolve("accepted.json");
    return Files.exists(file) ? List.of(read(file)) : List.of();
  }

  private List<JsonNode> recordedEvents() {
    return recorder.events().stream()
        .map(event -> (JsonNode) JSON.valueToTree(event.pod()))
        .toList();
  }

  private static JsonNode read(Path file) throws IOException {
    return JSON.readTree(file.toFile());
  }

  private static Stream<String> cases(String endpoint) {
    try (Stream<Path> entries = Files.list(dir(endpoint))) {
      return entries.map(path -> path.getFileName().toString()).sorted().toList().stream();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path dir(String endpoint) {
    try {
      return Path.of(AdmissionFixturesTest.class.getResource("/admission/" + endpoint).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
