package io.calicowebhook.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.calicowebhook.pod.PolicyAnnotations;
import io.fabric8.zjsonpatch.JsonPatch;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A 4,000-rule annotation of about 200 KiB is judged correctly, well within a hang guard. */
@QuarkusTest
class LargeAnnotationTest {
  private static final int RULES = 4000;
  private static final Duration HANG_GUARD = Duration.ofSeconds(10);

  @TestHTTPResource(value = "/", tls = true)
  URL base;

  @Inject PodAcceptedRecorder recorder;

  @BeforeEach
  void forgetEvents() {
    recorder.clear();
  }

  @Test
  void allowsFourThousandValidRules() {
    String policy = rules(i -> "8443");
    assertTrue(policy.length() > 190 * 1024 && policy.length() < 260 * 1024, "~200 KiB");

    JsonNode answer = validate(policy);

    assertTrue(answer.at("/response/allowed").asBoolean(), answer::toString);
    assertFalse(answer.at("/response").has("warnings"), answer::toString);
    assertEquals(policy, recorder.events().get(0).pod().annotations().get(PolicyAnnotations.KEY));
  }

  @Test
  void deniesFourThousandRulesWhenOnlyTheLastIsBad() {
    String policy = rules(i -> i == RULES ? "84x3" : "8443");

    JsonNode answer = validate(policy);

    int column = policy.lastIndexOf("84x3") + 1;
    assertFalse(answer.at("/response/allowed").asBoolean());
    assertEquals(
        "projectcalico.org/policy: rule 4000, column "
            + column
            + ": found '84x3' in port list, expected a port number (0-65535) or a range N:M",
        answer.at("/response/status/message").asText());
    assertTrue(recorder.events().isEmpty());
  }

  @Test
  void reportsTheFirstTwentyOfFourThousandBadRulesAndCountsTheRest() {
    JsonNode answer = validate(rules(i -> "x" + i));

    String[] lines = answer.at("/response/status/message").asText().split("\n");
    assertEquals(21, lines.length);
    for (int i = 0; i < 20; i++) {
      assertTrue(lines[i].startsWith("projectcalico.org/policy: rule " + (i + 1) + ", "), lines[i]);
    }
    assertEquals("... and 3980 more bad rules", lines[20]);
  }

  @Test
  void rewritesFourThousandRuleLegacyAnnotation() {
    String policy = rules(i -> "8443");
    JsonNode review = Fixtures.podCreate(Map.of(PolicyAnnotations.LEGACY_KEY, policy));

    JsonNode answer = post("/mutate", review);

    ApiServerRules.check(review, answer, true);
    JsonNode patch = ApiServerRules.decodePatch(answer.at("/response/patch").asText());
    JsonNode patched = JsonPatch.apply(patch, review.at("/request/object"));
    assertEquals(
        Fixtures.JSON.valueToTree(Map.of(PolicyAnnotations.KEY, policy)),
        patched.at("/metadata/annotations"));
  }

  @Test
  void judgesLargeReviewOffTheEventLoopAndUsualOneOnIt() {
    validate(rules(i -> "8443"));
    validate("allow tcp to ports 443");

    assertEquals(List.of(false, true), recorder.firedOnEventLoop());
  }

  /** 4,000 rules of ~57 bytes; {@code port.apply(i)} is the second port of rule i (1-based). */
  private static String rules(java.util.function.IntFunction<String> port) {
    return IntStream.rangeClosed(1, RULES)
        .mapToObj(
            i ->
                String.format("allow tcp from label app=frontend-%04d to ports 8080,", i)
                    + port.apply(i))
        .collect(Collectors.joining("; "));
  }

  private JsonNode validate(String policy) {
    JsonNode review = Fixtures.podCreate(Map.of(PolicyAnnotations.KEY, policy));
    JsonNode answer = post("/validate", review);
    ApiServerRules.check(review, answer, false);
    return answer;
  }

  private JsonNode post(String path, JsonNode review) {
    String body =
        assertTimeoutPreemptively(
            HANG_GUARD,
            () ->
                Tls.given(base)
                    .contentType("application/json")
                    .body(Fixtures.bytes(review))
                    .post(path)
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString());
    try {
      return Fixtures.JSON.readTree(body);
    } catch (IOException e) {
      throw new AssertionError(body, e);
    }
  }
}
