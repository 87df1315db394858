package io.calicowebhook.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The admission histogram at /q/metrics on the management port: counted per endpoint and verdict,
 * with buckets down to 0.5 ms.
 */
@QuarkusTest
class AdmissionMetricsTest {
  @TestHTTPResource(value = "/", tls = true)
  URL base;

  @TestHTTPResource(value = "/", management = true, tls = true)
  URL management;

  @Test
  void countsEachAnswerUnderItsVerdict() {
    double denied = count("validate", "denied");
    double patched = count("mutate", "patched");
    double error = count("validate", "error");

    post(
        "/validate",
        Fixtures.bytes(Fixtures.review("validate", "create-with-invalid-policy-is-denied")));
    post("/mutate", Fixtures.bytes(Fixtures.review("mutate", "legacy-key-is-rewritten")));
    post("/validate", "[]".getBytes());

    assertEquals(denied + 1, count("validate", "denied"));
    assertEquals(patched + 1, count("mutate", "patched"));
    assertEquals(error + 1, count("validate", "error"));
  }

  @Test
  void hasBucketsDownToHalfAMillisecond() {
    String metrics = scrape();
    assertTrue(
        metrics.contains(
            "calico_webhook_admission_seconds_bucket{endpoint=\"validate\",verdict=\"allowed\",le=\"5.0E-4\"}"),
        metrics);
  }

  /** The kube-apiserver waits at most 10 s for a webhook; the buckets reach that far. */
  @Test
  void hasBucketsUpToTheLongestWebhookTimeout() {
    String metrics = scrape();
    for (String le : new String[] {"1.0", "2.5", "5.0", "10.0"}) {
      assertTrue(
          metrics.contains(
              "calico_webhook_admission_seconds_bucket{endpoint=\"mutate\",verdict=\"denied\",le=\""
                  + le
                  + "\"}"),
          () -> "no bucket le=" + le + " in\n" + metrics);
    }
  }

  private double count(String endpoint, String verdict) {
    Matcher matcher =
        Pattern.compile(
                "calico_webhook_admission_seconds_count\\{endpoint=\""
                    + endpoint
                    + "\",verdict=\""
                    + verdict
                    + "\"} (\\S+)")
            .matcher(scrape());
    assertTrue(matcher.find(), "series exists for " + endpoint + "/" + verdict);
    return Double.parseDouble(matcher.group(1));
  }

  private String scrape() {
    return Tls.given(Tls.origin(management))
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .extract()
        .asString();
  }

  private void post(String path, byte[] body) {
    Tls.given(base).contentType("application/json").body(body).post(path);
  }
}
