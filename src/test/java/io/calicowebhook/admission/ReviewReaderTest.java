package io.calicowebhook.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReviewReaderTest {
  private final ReviewReader reader = new ReviewReader();

  private Review read(String request) {
    String review =
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":"
            + request
            + "}";
    return reader.read(review.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsOnlyWhatTheDecisionNeeds() {
    ReviewRequest request =
        read("{\"uid\":\"u1\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},"
                + "\"operation\":\"CREATE\",\"dryRun\":true,\"namespace\":\"ns\",\"name\":\"p\","
                + "\"object\":{\"metadata\":{\"generateName\":\"p-\",\"labels\":{\"a\":\"b\"},"
                + "\"annotations\":{\"policy\":\"allow\"}},\"spec\":{\"hostNetwork\":true,"
                + "\"containers\":[{\"name\":\"c\"}]},\"status\":{}}}")
            .request();

    assertTrue(request.judgesPod());
    assertTrue(request.isDryRun());
    assertEquals("p-", request.object().meta().generateName());
    assertNull(request.object().meta().name());
    assertEquals(Map.of("policy", "allow"), request.object().annotations());
    assertTrue(request.object().hostNetwork());
    assertNull(request.oldObject());
  }

  @Test
  void keepsAbsentAnnotationsApartFromEmptyOnes() {
    ObjectMeta absent =
        read("{\"uid\":\"u\",\"object\":{\"metadata\":{}}}").request().object().meta();
    ObjectMeta empty =
        read("{\"uid\":\"u\",\"object\":{\"metadata\":{\"annotations\":{}}}}")
            .request()
            .object()
            .meta();

    assertNull(absent.annotations());
    assertEquals(Map.of(), empty.annotations());
    assertEquals(Map.of(), absent.annotationsOrEmpty());
  }

  @Test
  void readsNullAnnotationValueAsEmptyString() {
    ObjectMeta meta =
        read("{\"uid\":\"u\",\"object\":{\"metadata\":{\"annotations\":{\"policy\":null}}}}")
            .request()
            .object()
            .meta();

    assertEquals(Map.of("policy", ""), meta.annotations());
  }

  @Test
  void treatsSubresourceAndOtherOperationsAsNotJudged() {
    String pod = "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"}";
    assertFalse(read("{\"uid\":\"u\"," + pod + ",\"operation\":\"DELETE\"}").request().judgesPod());
    assertFalse(
        read("{\"uid\":\"u\"," + pod + ",\"operation\":\"CONNECT\"}").request().judgesPod());
    assertFalse(
        read("{\"uid\":\"u\"," + pod + ",\"operation\":\"UPDATE\",\"subResource\":\"status\"}")
            .request()
            .judgesPod());
    assertTrue(read("{\"uid\":\"u\"," + pod + ",\"operation\":\"UPDATE\"}").request().judgesPod());
  }

  @Test
  void stopsAtNestingDeeperThanAnyPod() {
    String deep =
        "[".repeat(ReviewReader.MAX_NESTING_DEPTH) + "]".repeat(ReviewReader.MAX_NESTING_DEPTH);
    BadInputException e =
        assertThrows(BadInputException.class, () -> read("{\"uid\":\"u\",\"x\":" + deep + "}"));
    assertEquals(400, e.status());
    assertTrue(e.getMessage().startsWith("JSON over a read limit: "), e.getMessage());
  }

  @Test
  void pointsAtUnclosedJsonWithoutJacksonInternals() {
    BadInputException e =
        assertThrows(
            BadInputException.class,
            () -> new ReviewReader().read("{\"x\":[[[".getBytes(StandardCharsets.UTF_8)));
    assertEquals(400, e.status());
    assertEquals(
        "malformed JSON: Unexpected end-of-input: expected close marker for Array (start marker at"
            + " line: 1, column: 8) (line 1, column 9)",
        e.getMessage());
  }
}
