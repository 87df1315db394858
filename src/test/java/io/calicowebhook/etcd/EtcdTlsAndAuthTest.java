package io.calicowebhook.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.calicowebhook.etcd.EtcdSettingsTest.Builder;
import io.calicowebhook.store.DesiredProfile;
import io.calicowebhook.store.OwnRevisions;
import io.calicowebhook.store.Owner;
import io.calicowebhook.store.ProfileStore;
import io.calicowebhook.store.WriteResult;
import io.etcd.jetcd.Auth;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connection variables against real etcd processes: a TLS etcd that demands client certificates
 * ({@code ETCD_CA_FILE}, {@code ETCD_CERT_FILE}, {@code ETCD_KEY_FILE}), and an etcd with
 * authentication on ({@code ETCD_USERNAME}, {@code ETCD_PASSWORD}).
 */
class EtcdTlsAndAuthTest {
  private static final DesiredProfile PROFILE =
      new DesiredProfile("ns_p", "{\"id\":\"ns_p\"}", "[\"ns_p\"]", new Owner("u", "ns", "p"));

  @TempDir Path certs;

  @Test
  void writesOverTlsWithClientCertificate() throws Exception {
    EtcdProcess.ServerTls tls = serverTls();
    try (EtcdProcess etcd = EtcdProcess.startTemporary(tls)) {
      Builder config =
          new Builder()
              .endpoints(etcd.endpoint())
              .ca(certs.resolve("ca.crt"))
              .cert(certs.resolve("webhook.crt"))
              .key(certs.resolve("webhook.key"));

      assertEquals(Map.of("ns_p", WriteResult.CREATED), write(config));
      assertEquals(Map.of("ns_p", WriteResult.UNCHANGED), write(config));
    }
  }

  @Test
  void tlsEtcdRefusesClientWithoutCertificate() {
    EtcdProcess.ServerTls tls = serverTls();
    try (EtcdProcess etcd = EtcdProcess.startTemporary(tls)) {
      Builder config = new Builder().endpoints(etcd.endpoint()).ca(certs.resolve("ca.crt"));

      assertThrows(ExecutionException.class, () -> write(config));
    }
  }

  @Test
  void writesWithUserAndPassword() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.startTemporary()) {
      enableAuth(etcd.endpoint(), "root", "s3cret");

      assertEquals(
          Map.of("ns_p", WriteResult.CREATED),
          write(new Builder().endpoints(etcd.endpoint()).user("root").password("s3cret")));
      assertThrows(ExecutionException.class, () -> write(new Builder().endpoints(etcd.endpoint())));
    }
  }

  private EtcdProcess.ServerTls serverTls() {
    io.calicowebhook.admission.TestCertificates.generate(certs);
    io.calicowebhook.admission.TestCertificates.generate(certs, "-c", "webhook");
    return new EtcdProcess.ServerTls(
        certs.resolve("tls.crt"), certs.resolve("tls.key"), certs.resolve("ca.crt"));
  }

  private static Map<String, WriteResult> write(Builder config) throws Exception {
    EtcdSettings settings = EtcdSettings.from(config.build());
    try (Client client = EtcdClients.build(settings, settings.endpoints())) {
      ProfileStore store =
          new ProfileStore(
              client.getKVClient(),
              settings.limits(),
              Duration.ofSeconds(5),
              new SimpleMeterRegistry(),
              new OwnRevisions());
      return store.write(List.of(PROFILE)).get(20, TimeUnit.SECONDS);
    }
  }

  private static void enableAuth(String endpoint, String user, String password) throws Exception {
    try (Client admin = Client.builder().endpoints(endpoint).build()) {
      Auth auth = admin.getAuthClient();
      ByteSequence name = ByteSequence.from(user, UTF_8);
      await(auth.userAdd(name, ByteSequence.from(password, UTF_8)));
      await(auth.roleAdd(name));
      await(auth.userGrantRole(name, name));
      await(auth.authEnable());
    }
  }

  private static void await(CompletableFuture<?> future) throws Exception {
    future.get(10, TimeUnit.SECONDS);
  }
}
