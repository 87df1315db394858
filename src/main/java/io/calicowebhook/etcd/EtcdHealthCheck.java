package io.calicowebhook.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.maintenance.AlarmMember;
import io.etcd.jetcd.maintenance.AlarmResponse;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.health.api.Wellness;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * Whether etcd answers and takes writes, at {@code /q/health/well}: DOWN when it does not answer,
 * or when an alarm is active (its data {@code alarms}, e.g. {@code NOSPACE}: the space quota is
 * full and etcd refuses every write until an operator frees space and disarms it). Deliberately not
 * a readiness check: admission needs no etcd, and an unready webhook blocks or unchecks every pod
 * in the cluster.
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
    return check(
        etcd.client(),
        etcd.endpoints().stream().map(URI::toString).collect(Collectors.joining(",")));
  }

  /** The check itself, on {@code client}, with {@code endpoints} as the data to show. */
  public static Uni<HealthCheckResponse> check(Client client, String endpoints) {
    HealthCheckResponseBuilder response =
        HealthCheckResponse.named("etcd").withData("endpoints", endpoints);
    return Uni.createFrom()
        .completionStage(() -> probe(client))
        .map(probe -> probe.answer(response))
        .onFailure()
        .recoverWithItem(error -> response.down().withData("error", message(error)).build());
  }

  private static CompletableFuture<Probe> probe(Client client) {
    return client
        .getKVClient()
        .get(PROBE)
        .thenCombine(client.getMaintenanceClient().listAlarms(), Probe::new)
        .orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A read's revision and the alarms active in the cluster. */
  private record Probe(GetResponse read, AlarmResponse alarmList) {
    HealthCheckResponse answer(HealthCheckResponseBuilder response) {
      response.withData("revision", read.getHeader().getRevision());
      List<String> alarms =
          alarmList.getAlarms().stream()
              .map(AlarmMember::getAlarmType)
              .map(Enum::name)
              .distinct()
              .sorted()
              .toList();
      return alarms.isEmpty()
          ? response.up().build()
          : response.down().withData("alarms", String.join(",", alarms)).build();
    }
  }

  private static String message(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }
}
