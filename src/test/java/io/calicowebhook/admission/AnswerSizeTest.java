package io.calicowebhook.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.calicowebhook.pod.PolicyAnnotations;
import io.calicowebhook.pod.WorkloadKind;
import io.fabric8.zjsonpatch.JsonPatch;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * No answer to a review is larger than 64 KiB whatever the review holds (SPEC section 2): the worst
 * annotations we could think of, posted over real HTTPS, each answered in full (the first 20 bad
 * rules, the count of the rest, at most 20 warnings) and in under 64 KiB. The kube-apiserver allows
 * 256 KiB of annotations; callers other than the apiserver can send 4 MiB.
 */
@QuarkusTest
class AnswerSizeTest {
  private static final int KIB = 1024;
  private static final int ANNOTATIONS = 256 * KIB;
  private static final Duration HANG_GUARD = Duration.ofSeconds(20);

  @TestHTTPResource(value = "/", tls = true)
  URL base;

  /** A workload's pod template is bounded as a Pod is; its messages name the template path. */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "POD,        create-without-policy",
    "DEPLOYMENT, deployment-with-invalid-template-policy-is-denied",
  })
  void deniesQuarterMillionEmptyRulesInTwentyOneLines(WorkloadKind kind, String fixture) {
    JsonNode answer =
        validate(create(kind, fixture, Map.of(PolicyAnnotations.KEY, ";".repeat(250_000))));

    String[] lines = message(answer).split("\n");
    String name = kind.annotationName(PolicyAnnotations.KEY);
    assertEquals(21, lines.length);
    assertEquals(
        name
            + ": rule 1, column 1: found ';', expected a rule starting with"
            + " 'allow' (empty rule: remove the extra ';')",
        lines[0]);
    assertTrue(lines[19].startsWith(name + ": rule 20, column 20: "), lines[19]);
    assertEquals("... and 249981 more bad rules", lines[20]);
  }

  /** Found texts of control characters are written as 6-byte escapes in the JSON answer. */
  @Test
  void shortensLongFoundTextsOfTheWorstCharacters() {
    String word = "\u0001".repeat(ANNOTATIONS / 21 - 1);
    String policy = String.join(";", Collections.nCopies(21, word));
    assertTrue(policy.length() > 250 * KIB);

    JsonNode answer = validate(podCreate(PolicyAnnotations.KEY, policy));

    String[] lines = message(answer).split("\n");
    assertEquals(21, lines.length);
    assertTrue(
        lines[0].endsWith("...' (12482 characters), expected 'allow' (only 'allow' rules exist)"),
        lines[0]);
    assertEquals("... and 1 more bad rules", lines[20]);
  }

  @Test
  void shortensHugeLabelInTheMessage() {
    String label = "app=" + "v".repeat(ANNOTATIONS - 40);

    JsonNode answer = validate(podCreate(PolicyAnnotations.KEY, "allow from label " + label));

    assertEquals(
        "projectcalico.org/policy: rule 1, column 18: found 'app="
            + "v".repeat(76)
            + "...' ("
            + label.length()
            + " characters), expected a label value of 1 to 63 characters, [A-Za-z0-9] at both"
            + " ends and [-_.A-Za-z0-9] inside",
        message(answer));
  }

  @Test
  void allowsTensOfThousandsOfWarningsWithTwenty() {
    String policy = repeatTo("allow tcp from to; ", ANNOTATIONS) + "allow";
    int rules = policy.split(";").length;

    JsonNode answer = validate(podCreate(PolicyAnnotations.KEY, policy));

    assertTrue(answer.at("/response/allowed").asBoolean());
    JsonNode warnings = answer.at("/response/warnings");
    assertEquals(20, warnings.size());
    assertEquals(
        "... and " + (2 * (rules - 1) + 1 - 19) + " more warnings", warnings.get(19).asText());
  }

  /**
   * Bad rules, tens of thousands of warnings and every context warning, in one review; in a
   * CronJob, the longest template path, too.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "POD,      create-without-policy",
    "CRON_JOB, cronjob-with-invalid-template-policy-is-denied",
  })
  void boundsDenialAndWarningsTogether(WorkloadKind kind, String fixture) {
    String bad = "\u0007".repeat(100) + "\uD83D\uDE00".repeat(200);
    String policy =
        (bad + ";").repeat(25) + repeatTo("allow tcp from to;", ANNOTATIONS - 25 * 600) + "allow";
    ObjectNode review = create(kind, fixture, Map.of(PolicyAnnotations.LEGACY_KEY, policy));
    ObjectNode request = (ObjectNode) review.get("request");
    request.put("namespace", "kube-system");
    ((ObjectNode) request.at("/object/metadata")).put("namespace", "kube-system");
    ((ObjectNode) request.at("/object" + Fixtures.pointer(kind) + "/spec"))
        .put("hostNetwork", true);

    JsonNode answer = validate(review);

    assertFalse(answer.at("/response/allowed").asBoolean());
    String[] lines = message(answer).split("\n");
    assertEquals(21, lines.length);
    assertTrue(lines[0].startsWith(kind.annotationName(PolicyAnnotations.LEGACY_KEY) + ": "));
    assertEquals("... and 5 more bad rules", lines[20]);
    JsonNode warnings = answer.at("/response/warnings");
    assertEquals(20, warnings.size());
    assertTrue(
        warnings.get(19).asText().matches("\\.\\.\\. and \\d+ more warnings"), warnings::toString);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "POD,        update-keeping-invalid-policy-is-allowed-with-warning",
    "DEPLOYMENT, deployment-update-keeping-invalid-template-policy-is-allowed-with-warning",
  })
  void boundsTheWarningOfAnUnchangedInvalidPolicy(WorkloadKind kind, String fixture) {
    Map<String, String> policy = Map.of(PolicyAnnotations.KEY, ";".repeat(250_000));
    ObjectNode review = Fixtures.withTemplateAnnotations("validate", fixture, kind, policy);

    JsonNode answer = validate(review);

    assertTrue(answer.at("/response/allowed").asBoolean());
    String name = kind.annotationName(PolicyAnnotations.KEY);
    assertEquals(
        name
            + " does not parse but is unchanged, so this update is allowed; fix it before changing"
            + " it: "
            + name
            + ": rule 1, column 1: found ';', expected a rule starting with 'allow' (empty rule:"
            + " remove the extra ';') (and 250000 more bad rules)",
        answer.at("/response/warnings/0").asText());
  }

  /**
   * The rename is one JSON Patch move, from and to the annotations of the pod (template): the value
   * is not copied into the answer.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "POD,      legacy-key-is-rewritten",
    "CRON_JOB, cronjob-legacy-key-in-nested-template-is-rewritten",
  })
  void renamesHugeLegacyAnnotationWithoutEchoingIt(WorkloadKind kind, String fixture)
      throws IOException {
    String policy = repeatTo("allow tcp to ports 443; ", ANNOTATIONS - 10) + "allow";
    ObjectNode review =
        Fixtures.withTemplateAnnotations(
            "mutate", fixture, kind, Map.of(PolicyAnnotations.LEGACY_KEY, policy));

    JsonNode answer = post("/mutate", review);

    ApiServerRules.check(review, answer, true);
    JsonNode patch = ApiServerRules.decodePatch(answer.at("/response/patch").asText());
    PatchOperation move =
        PatchOperation.move(
            PatchOperation.annotationPath(kind, PolicyAnnotations.LEGACY_KEY),
            PatchOperation.annotationPath(kind, PolicyAnnotations.KEY));
    assertEquals(Fixtures.JSON.valueToTree(List.of(move)), patch);
    JsonNode patched = JsonPatch.apply(patch, review.at("/request/object"));
    assertEquals(
        policy,
        patched
            .at(Fixtures.pointer(kind) + "/metadata/annotations")
            .get(PolicyAnnotations.KEY)
            .asText());
  }

  /** Not from the apiserver (it caps annotations at 256 KiB), but anyone can send 4 MiB. */
  @Test
  void deniesFourMebibytesOfEmptyRulesInTwentyOneLines() {
    char[] semicolons = new char[4 * KIB * KIB - 8 * KIB];
    Arrays.fill(semicolons, ';');

    JsonNode answer = validate(podCreate(PolicyAnnotations.KEY, new String(semicolons)));

    String[] lines = message(answer).split("\n");
    assertEquals("... and " + (semicolons.length + 1 - 20) + " more bad rules", lines[20]);
  }

  @AfterEach
  void keepsServing() {
    Tls.given(base).get("/q/health/live").then().statusCode(200);
  }

  private JsonNode validate(ObjectNode review) {
    JsonNode answer = post("/validate", review);
    ApiServerRules.check(review, answer, false);
    return answer;
  }

  /** Posts {@code review} and checks the answer's size in bytes as sent. */
  private JsonNode post(String path, ObjectNode review) {
    byte[] body =
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
                    .asByteArray());
    assertTrue(
        body.length < AnswerLimits.MAX_ANSWER_BYTES, () -> "answer of " + body.length + " bytes");
    try {
      return Fixtures.JSON.readTree(body);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static ObjectNode podCreate(String key, String policy) {
    return Fixtures.podCreate(Map.of(key, policy));
  }

  /** A CREATE of the kind from its fixture, with these annotations in its pod (template). */
  private static ObjectNode create(WorkloadKind kind, String fixture, Map<String, String> policy) {
    return Fixtures.withTemplateAnnotations("validate", fixture, kind, policy);
  }

  private static String message(JsonNode answer) {
    return answer.at("/response/status/message").asText();
  }

  private static String repeatTo(String unit, int size) {
    return unit.repeat(size / unit.length());
  }
}
