package io.calicowebhook.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.etcd.jetcd.ByteSequence;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.health.api.Wellness;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * Whether etcd answers, at {@code /q/health/well}. Deliberately not a readiness check: admission
 * needs no etcd, and an unready webhook blocks or unchecks every pod in the cluster.
 */
@Wellness
@ApplicationScoped
public class EtcdHealthCheck implements AsyncHealthCheck {
  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static final ByteSequence PROBE = ByteSequence.from(EtcdKeys.OWNER_PREFIX, UTF_8);

  private final EtcdConnection etcd;

  EtcdHealthCheck(EtcdConnection etcd) {
    this.etcd = etcd;
  }

  @Override
  public Uni<HealthCheckResponse> call() {
    String endpoints =
        etcd.endpoints().stream().map(URI::toString).collect(Collectors.joining(","));
    HealthCheckResponseBuilder response =
        HealthCheckResponse.named("etcd").withData("endpoints", endpoints);
    return Uni.createFrom()
        .completionStage(
            () ->
                etcd.client()
                    .getKVClient()
                    .get(PROBE)
                    .orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
        .map(got -> response.up().withData("revision", got.getHeader().getRevision()).build())
        .onFailure()
        .recoverWithItem(error -> response.down().withData("error", message(error)).build());
  }

  private static String message(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }
}
