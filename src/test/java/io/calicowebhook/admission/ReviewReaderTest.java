package io.calicowebhook.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calicowebhook.pod.WorkloadKind;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

    assertEquals(Optional.of(WorkloadKind.POD), request.judged());
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

  @ParameterizedTest
  @CsvSource({
    "'',      v1,      Pod,         CREATE, '',     POD",
    "'',      v1,      Pod,         UPDATE, '',     POD",
    "'',      v1,      Pod,         DELETE, '',     ",
    "'',      v1,      Pod,         CONNECT, '',    ",
    "'',      v1,      Pod,         UPDATE, status, ",
    "'',      v2,      Pod,         CREATE, '',     ",
    "apps,    v1,      Deployment,  UPDATE, '',     DEPLOYMENT",
    "apps,    v1,      Deployment,  UPDATE, scale,  ",
    "apps,    v1,      Deployment,  UPDATE, status, ",
    "apps,    v1,      Deployment,  DELETE, '',     ",
    "apps,    v1beta1, Deployment,  CREATE, '',     ",
    "apps,    v1,      ControllerRevision, CREATE, '', ",
    "batch,   v1,      CronJob,     CREATE, '',     CRON_JOB",
    "'',      v1,      PodTemplate, CREATE, '',     POD_TEMPLATE",
  })
  void judgesOnlyPodsAndWorkloadsThemselvesOnCreateAndUpdate(
      String group,
      String version,
      String kind,
      String operation,
      String subResource,
      WorkloadKind judged) {
    String request =
        String.format(
            "{\"uid\":\"u\",\"kind\":{\"group\":\"%s\",\"version\":\"%s\",\"kind\":\"%s\"},"
                + "\"operation\":\"%s\",\"subResource\":\"%s\"}",
            group, version, kind, operation, subResource);

    assertEquals(Optional.ofNullable(judged), read(request).request().judged());
  }

  @Test
  void readsTheTemplateWhereEachWorkloadKeepsIt() {
    String template =
        "{\"metadata\":{\"annotations\":{\"policy\":\"allow\"}},"
            + "\"spec\":{\"hostNetwork\":true,\"containers\":[{\"name\":\"c\"}]}}";
    PodObject deployment =
        read("{\"uid\":\"u\",\"object\":{\"metadata\":{\"namespace\":\"ns\"},"
                + "\"spec\":{\"replicas\":3,\"template\":"
                + template
                + "}}}")
            .request()
            .object();
    PodObject cronJob =
        read("{\"uid\":\"u\",\"object\":{\"spec\":{\"schedule\":\"* * * * *\","
                + "\"jobTemplate\":{\"spec\":{\"template\":"
                + template
                + "}}}}}")
            .request()
            .object();
    PodObject podTemplate =
        read("{\"uid\":\"u\",\"object\":{\"template\":" + template + "}}").request().object();

    for (var found :
        List.of(
            deployment.templateAt(WorkloadKind.DEPLOYMENT.templatePath()),
            cronJob.templateAt(WorkloadKind.CRON_JOB.templatePath()),
            podTemplate.templateAt(WorkloadKind.POD_TEMPLATE.templatePath()))) {
      assertEquals(Map.of("policy", "allow"), found.annotations());
      assertTrue(found.hostNetwork());
    }
    assertEquals("ns", deployment.meta().namespace());
    assertNull(deployment.templateAt(WorkloadKind.CRON_JOB.templatePath()));
    assertNull(podTemplate.templateAt(WorkloadKind.DEPLOYMENT.templatePath()));
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
