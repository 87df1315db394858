package io.calicowebhook.sync;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calicowebhook.admission.PodAccepted;
import io.calicowebhook.etcd.EtcdConnection;
import io.calicowebhook.etcd.EtcdKeys;
import io.calicowebhook.etcd.EtcdKv;
import io.calicowebhook.pod.PodMeta;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Without {@code ETCD_ENDPOINTS} the test (and dev) profile starts a private etcd, and accepted
 * pods are programmed into it.
 */
@QuarkusTest
class DevEtcdTest {
  @Inject EtcdConnection etcd;
  @Inject Event<PodAccepted> accepted;

  @Test
  void programsAcceptedPodIntoPrivateEtcd() {
    String endpoint = etcd.endpoints().get(0).toString();
    assertTrue(endpoint.startsWith("http://127.0.0.1:"), endpoint);

    accepted.fire(
        new PodAccepted(
            new PodMeta("dev", "web-1", "uid-dev-web-1", Map.of("app", "web"), Map.of(), false)));

    try (EtcdKv kv = new EtcdKv(endpoint)) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> kv.get(EtcdKeys.tags("dev_web-1")).isPresent());
      assertEquals(
          "[\"dev_app_web\",\"namespace_dev\"]",
          kv.value(EtcdKeys.tags("dev_web-1")).orElseThrow());
    }
  }
}
