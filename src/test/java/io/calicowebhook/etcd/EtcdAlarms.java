package io.calicowebhook.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.maintenance.AlarmMember;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Raises and lists etcd's alarms in tests. jetcd can only list and disarm them; etcd's own
 * Maintenance API also activates one (its functional tester does), reached here through etcd's JSON
 * gateway. An activated NOSPACE alarm makes etcd refuse every write just as a full quota does.
 */
public final class EtcdAlarms {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private EtcdAlarms() {}

  /**
   * Activates {@code alarm} ({@code NOSPACE}, {@code CORRUPT}) for the member {@code client} hits.
   */
  public static void activate(String endpoint, Client client, String alarm) throws Exception {
    long member =
        client
            .getKVClient()
            .get(ByteSequence.from("/", UTF_8))
            .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .getHeader()
            .getMemberId();
    String body =
        "{\"action\":\"ACTIVATE\",\"memberID\":\"%s\",\"alarm\":\"%s\"}"
            .formatted(Long.toUnsignedString(member), alarm);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(endpoint + "/v3/maintenance/alarm"))
            .timeout(TIMEOUT)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<String> answer =
        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    if (answer.statusCode() != 200 || !answer.body().contains(alarm)) {
      throw new IOException("etcd did not raise " + alarm + ": " + answer.body());
    }
  }

  /** The active alarms. */
  public static List<AlarmMember> list(Client client) throws Exception {
    return client
        .getMaintenanceClient()
        .listAlarms()
        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .getAlarms();
  }

  /** Disarms every active alarm, as an operator does with {@code etcdctl alarm disarm}. */
  public static void disarmAll(Client client) throws Exception {
    for (AlarmMember alarm : list(client)) {
      client
          .getMaintenanceClient()
          .alarmDisarm(alarm)
          .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
  }
}
