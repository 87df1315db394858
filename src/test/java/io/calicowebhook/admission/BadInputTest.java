package io.calicowebhook.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bodies and requests that are not admission reviews: each gets a 4xx with a short JSON error,
 * never a 5xx or a stack trace, and the service answers a real review right after.
 */
@QuarkusTest
class BadInputTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String V1 = "\"apiVersion\":\"admission.k8s.io/v1\",";
  private static final String POD_KIND =
      "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"}";

  @TestHTTPResource(value = "/", tls = true)
  URL base;

  static Stream<Arguments> badBodies() {
    return Stream.of(
        bad("malformed JSON", "{\"kind\":\"AdmissionReview\",", 400, "malformed JSON"),
        bad("empty body", "", 400, "empty body"),
        bad(
            "JSON array",
            "[{\"kind\":\"AdmissionReview\"}]",
            400,
            "not an AdmissionReview: expected a JSON object"),
        bad("JSON null", "null", 400, "not an AdmissionReview"),
        bad(
            "JSON string",
            "\"AdmissionReview\"",
            400,
            "not an AdmissionReview: expected a JSON object"),
        bad(
            "wrong kind",
            "{" + V1 + "\"kind\":\"Pod\",\"request\":{\"uid\":\"u\"}}",
            400,
            "not an AdmissionReview"),
        bad(
            "unknown apiVersion",
            "{\"apiVersion\":\"admission.k8s.io/v2\",\"kind\":\"AdmissionReview\","
                + "\"request\":{\"uid\":\"u\"}}",
            400,
            "unsupported apiVersion"),
        bad(
            "no apiVersion",
            "{\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\"}}",
            400,
            "unsupported apiVersion"),
        bad(
            "apiVersion null",
            "{\"apiVersion\":null,\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\"}}",
            400,
            "unsupported apiVersion"),
        bad("no request", "{" + V1 + "\"kind\":\"AdmissionReview\"}", 400, "without request"),
        bad(
            "no uid",
            "{" + V1 + "\"kind\":\"AdmissionReview\",\"request\":{\"operation\":\"CREATE\"}}",
            400,
            "without uid"),
        bad(
            "trailing garbage",
            "{" + V1 + "\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\"}} x",
            400,
            "malformed JSON"),
        bad(
            "annotations not a map",
            review("{\"metadata\":{\"annotations\":\"policy\"}}"),
            400,
            "not an AdmissionReview: request.object.metadata.annotations has the wrong type"),
        bad("Pod CREATE without object", review("null"), 400, "without object"),
        bad(
            "a uid of 1 MiB, which the answer would echo",
            "{"
                + V1
                + "\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\""
                + "u".repeat(1 << 20)
                + "\"}}",
            400,
            "AdmissionReview request uid over 128 characters"),
        bad(
            "a 40 KiB annotation key holding an object",
            review("{\"metadata\":{\"annotations\":{\"" + "k".repeat(40 << 10) + "\":{}}}}"),
            400,
            "not an AdmissionReview: request.object.metadata.annotations.kkkk"),
        bad("absurdly deep nesting", review(nested(100_000)), 400, "nesting depth (201) exceeds"),
        bad(
            "not UTF-8",
            new byte[] {'{', '"', 'k', '"', ':', '"', (byte) 0xff, '"', '}'},
            400,
            "malformed JSON"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBodies")
  void rejectsBadBodyWithShortJsonError(String name, byte[] body, int status, String error) {
    Response response = post("application/json", body);
    assertShortJsonError(response, status, error);
  }

  @Test
  void rejectsWrongContentType() {
    assertShortJsonError(post("text/plain", validReview()), 415, "Content-Type must be");
  }

  @Test
  void rejectsMissingContentType() {
    Response response = Tls.given(base).body(validReview()).post("/validate");
    assertShortJsonError(response, 415, "Content-Type must be");
  }

  @Test
  void rejectsBodyOverSevenMebibytes() {
    byte[] body = new byte[(int) BodyLimit.MAX_BYTES + 1];
    Arrays.fill(body, (byte) ' ');
    Response response = post("application/json", body);
    assertEquals(413, response.statusCode(), response.asString());
  }

  @Test
  void rejectsGetWithJsonError() {
    assertShortJsonError(Tls.given(base).get("/validate"), 405, "Method Not Allowed");
  }

  @Test
  void answersUnknownPathWithJsonError() {
    assertShortJsonError(
        Tls.given(base).contentType("application/json").body(validReview()).post("/nothing"),
        404,
        "Not Found");
  }

  /** After each bad request, a real review is still answered. */
  @AfterEach
  void keepsServing() {
    JsonNode answer =
        readJson(
            post("application/json", validReview()).then().statusCode(200).extract().asString());
    assertEquals("705ab4f5-6393-11e8-b7cc-42010a800002", answer.at("/response/uid").asText());
  }

  private Response post(String contentType, byte[] body) {
    RequestSpecification request = Tls.given(base).contentType(contentType).body(body);
    return request.post("/validate");
  }

  private static void assertShortJsonError(Response response, int status, String error) {
    assertEquals(status, response.statusCode(), response.asString());
    assertTrue(response.contentType().startsWith("application/json"), response.contentType());
    JsonNode body = readJson(response.asString());
    assertEquals(1, body.size(), "only an error field: " + body);
    String message = body.path("error").asText();
    assertTrue(message.contains(error), message);
    assertTrue(message.length() < 300, "short: " + message);
    assertFalse(message.contains("\tat ") || message.contains("Exception"), message);
  }

  private static Arguments bad(String name, String body, int status, String error) {
    return bad(name, body.getBytes(StandardCharsets.UTF_8), status, error);
  }

  private static Arguments bad(String name, byte[] body, int status, String error) {
    return Arguments.of(name, body, status, error);
  }

  /** A Pod CREATE review with {@code object} as given. */
  private static String review(String object) {
    return "{"
        + V1
        + "\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\","
        + POD_KIND
        + ",\"operation\":\"CREATE\",\"namespace\":\"ns\",\"object\":"
        + object
        + "}}";
  }

  private static String nested(int depth) {
    return "{\"spec\":{\"x\":" + "[".repeat(depth) + "]".repeat(depth) + "}}";
  }

  private static byte[] validReview() {
    try (InputStream in =
        BadInputTest.class.getResourceAsStream(
            "/admission/validate/create-with-valid-policy/review.json")) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode readJson(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }
}
