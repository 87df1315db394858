package io.calicowebhook.admission;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The admission latency histogram {@code calico_webhook_admission_seconds}, tagged {@code endpoint}
 * (validate, mutate) and {@code verdict} (allowed, denied, patched, error). Buckets reach down to
 * 0.5 ms, so that decisions faster than a millisecond are told apart, and up to 10 s, the longest
 * webhook timeout. Every series exists from start-up, at zero.
 */
@Startup
@Singleton
class AdmissionMetrics {
  public static final String NAME = "calico.webhook.admission";
  static final List<String> ENDPOINTS = List.of("validate", "mutate");
  static final List<String> VERDICTS = List.of("allowed", "denied", "patched", "error");
  static final String ERROR = "error";

  private static final Duration[] BUCKETS = {
    Duration.ofMillis(1).dividedBy(2),
    Duration.ofMillis(1),
    Duration.ofMillis(5).dividedBy(2),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofSeconds(1),
    // Up to the longest webhook timeout the kube-apiserver allows (10 s), so that a p99 near
    // the configured timeout shows as such rather than as "over 1 s".
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10)
  };

  private final Map<String, Timer> timers = new HashMap<>();

  public AdmissionMetrics(MeterRegistry registry) {
    for (String endpoint : ENDPOINTS) {
      for (String verdict : VERDICTS) {
        timers.put(endpoint + "/" + verdict, register(registry, endpoint, verdict));
      }
    }
  }

  private static Timer register(MeterRegistry registry, String endpoint, String verdict) {
    return Timer.builder(NAME)
        .description("Time to answer one AdmissionReview, by endpoint and verdict")
        .tags("endpoint", endpoint, "verdict", verdict)
        .serviceLevelObjectives(BUCKETS)
        .register(registry);
  }

  /**
   * Runs {@code answer} and records its duration under its verdict, or {@code error} if it throws.
   */
  public ReviewResponse time(String endpoint, Supplier<ReviewResponse> answer) {
    long start = System.nanoTime();
    String verdict = ERROR;
    try {
      ReviewResponse response = answer.get();
      verdict = response.response().verdict();
      return response;
    } finally {
      timers.get(endpoint + "/" + verdict).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }
}
