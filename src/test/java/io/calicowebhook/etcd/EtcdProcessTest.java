package io.calicowebhook.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/**
 * A port chosen free can be taken by another process before etcd binds it: etcd is then started
 * again on new ports, a bounded number of times.
 */
class EtcdProcessTest {
  @Test
  void startsOnNewPortsWhenAPortWasTakenBeforeEtcdBoundIt() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      AtomicInteger asked = new AtomicInteger();
      // the first attempt's client port is taken; every other port is free
      IntSupplier ports =
          () -> asked.getAndIncrement() == 0 ? taken.getLocalPort() : EtcdProcess.freePort();

      try (EtcdProcess etcd = start(ports)) {
        int client = URI.create(etcd.endpoint()).getPort();
        assertNotEquals(taken.getLocalPort(), client);
        assertEquals(6, asked.get(), "two attempts of three ports each");
        assertEquals(200, health(etcd.endpoint()));
      }
    }
  }

  @Test
  void givesUpWhenThePortsAreTakenEveryTime() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      AtomicInteger asked = new AtomicInteger();
      IntSupplier ports =
          () -> {
            asked.incrementAndGet();
            return taken.getLocalPort();
          };

      EtcdProcess.PortTakenException refused =
          assertThrows(EtcdProcess.PortTakenException.class, () -> start(ports).close());

      assertEquals(3 * EtcdProcess.START_ATTEMPTS, asked.get());
      assertTrue(refused.getMessage().contains("address already in use"), refused.getMessage());
    }
  }

  private static EtcdProcess start(IntSupplier ports) throws IOException {
    return EtcdProcess.startIn(
        Files.createTempDirectory("etcd-data-"), true, Optional.empty(), List.of(), ports);
  }

  private static int health(String endpoint) throws Exception {
    HttpResponse<String> answer =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(endpoint + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
    return answer.statusCode();
  }
}
