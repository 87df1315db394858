package io.calicowebhook.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Health and metrics on the management interface (WEBHOOK_MANAGEMENT_PORT), the admission port
 * serving only /validate and /mutate: a NetworkPolicy or a client-certificate rule for the one
 * decides nothing about the other. Both serve the same certificate (Quarkus's default TLS
 * configuration, which the service provides), the management port without asking for a client
 * certificate.
 */
@QuarkusTest
class ManagementPortTest {
  @TestHTTPResource(value = "/", management = true, tls = true)
  URL management;

  @TestHTTPResource(value = "/", tls = true)
  URL webhook;

  @Test
  void isItsOwnPortServingTheSameCertificate() throws Exception {
    assertNotEquals(webhook.getPort(), management.getPort());
    assertEquals(Tls.servedSerial(webhook.getPort()), Tls.servedSerial(management.getPort()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/q/health/live", "/q/health/ready", "/q/health/started"})
  void answersHealthOnTheManagementPort(String path) {
    String body =
        Tls.given(Tls.origin(management)).get(path).then().statusCode(200).extract().asString();
    assertTrue(body.contains("\"status\": \"UP\""), body);
  }

  @Test
  void answersMetricsOnTheManagementPort() {
    // An admission first, so that the admission histogram the operators scrape has a series.
    Tls.given(webhook)
        .contentType("application/json")
        .body(Fixtures.bytes(Fixtures.review("validate", "create-with-invalid-policy-is-denied")))
        .post("/validate")
        .then()
        .statusCode(200);
    String metrics =
        Tls.given(Tls.origin(management))
            .get("/q/metrics")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    assertTrue(metrics.contains("calico_webhook_admission_seconds_count{"), metrics);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"/q/health", "/q/health/live", "/q/health/ready", "/q/metrics", "/q/openapi"})
  void theWebhookPortAnswers404ForManagementPaths(String path) {
    Tls.given(webhook).get(path).then().statusCode(404);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/validate", "/mutate"})
  void theManagementPortAnswers404ForAdmission(String path) {
    Tls.given(Tls.origin(management))
        .contentType("application/json")
        .body(Fixtures.bytes(Fixtures.review("validate", "create-with-invalid-policy-is-denied")))
        .post(path)
        .then()
        .statusCode(404);
  }
}
