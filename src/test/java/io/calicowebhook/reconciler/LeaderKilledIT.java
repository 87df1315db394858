package io.calicowebhook.reconciler;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calicowebhook.admission.TestCertificates;
import io.calicowebhook.etcd.EtcdExtension;
import io.calicowebhook.etcd.EtcdKeys;
import io.calicowebhook.etcd.EtcdKv;
import io.calicowebhook.faults.EtcdMonitor;
import io.calicowebhook.faults.MockApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The packaged service leads, against a mock API server and a real etcd, and is killed with SIGKILL
 * while it writes a burst of new pods' profiles; a second replica takes over. Watched in etcd
 * throughout: no profile of a live pod is ever deleted or emptied, every pod ends programmed, the
 * new leader's term comes after everything the killed one wrote, and the time from the kill to the
 * new leader's first write is bounded by the Lease.
 */
class LeaderKilledIT {
  private static final Path APP = Path.of("target", "quarkus-app", "quarkus-run.jar");
  private static final Duration SOON = Duration.ofSeconds(60);
  private static final String POLICY = "allow tcp from label role=frontend to ports 80";

  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  private MockApiServer server;
  private KubernetesClient client;
  private Process service;
  private Replica follower;
  private Path work;

  @BeforeEach
  void start() throws IOException {
    server = MockApiServer.start();
    int port = server.port();
    client = MockApiServer.client(port);
    work = Files.createTempDirectory("leader-killed");
    Files.writeString(
        work.resolve("kubeconfig"),
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Config",
            "clusters: [{name: mock, cluster: {server: 'http://localhost:" + port + "'}}]",
            "users: [{name: mock, user: {token: mock}}]",
            "contexts: [{name: mock, context: {cluster: mock, user: mock, namespace: default}}]",
            "current-context: mock",
            ""));
    TestCertificates.generate(TestCertificates.SERVER);
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (service != null && service.isAlive()) {
      service.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    if (follower != null) {
      follower.close();
    }
    client.close();
    server.close();
  }

  @Test
  void aLeaderKilledWhileWritingLosesNothingAndIsReplacedWithinTheLease() throws Exception {
    EtcdKv kv = ETCD.kv();
    for (int i = 0; i < 20; i++) {
      client.resource(TestPods.pod("killed", "before-" + i, Map.of("role", "x"), POLICY)).create();
    }
    service = startService();
    await().atMost(SOON).until(() -> kv.value(EtcdKeys.TERM).orElse("").contains("jar-leader"));
    // the leader writes its groups in parallel, in no fixed order: wait for all twenty
    await().atMost(SOON).until(() -> kv.count(EtcdKeys.OWNER_PREFIX + "killed_before-") == 20);
    Map<String, String> kept = new HashMap<>(kv.prefix(EtcdKeys.PROFILE_PREFIX + "killed_"));
    kept.keySet().removeIf(key -> !key.endsWith("/rules"));
    assertEquals(20, kept.size());
    follower = Replica.start(client, ETCD.endpoint(), "replica-b");

    try (EtcdMonitor monitor = new EtcdMonitor(ETCD.endpoint(), kv.modRevision(EtcdKeys.TERM))) {
      List<String> burst = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        burst.add("burst-" + i);
        client.resource(TestPods.pod("killed", "burst-" + i, Map.of("role", "x"), POLICY)).create();
      }
      await().atMost(SOON).until(() -> kv.count(EtcdKeys.OWNER_PREFIX + "killed_burst-") > 0);
      service.destroyForcibly(); // SIGKILL, in the middle of the burst
      long killed = System.nanoTime();
      assertTrue(service.waitFor(30, TimeUnit.SECONDS));

      await().atMost(SOON).until(() -> kv.value(EtcdKeys.TERM).orElse("").contains("replica-b"));
      long takenOver = System.nanoTime();
      for (String name : burst) {
        await().atMost(SOON).until(() -> kv.get(EtcdKeys.rules("killed_" + name)).isPresent());
      }

      assertEquals(List.of(), monitor.violations(kept), "profiles of live pods taken away");
      long term = kv.modRevision(EtcdKeys.TERM);
      assertTrue(
          monitor.changes().stream()
              .filter(c -> c.key().startsWith(EtcdKeys.PROFILE_PREFIX))
              .filter(c -> c.revision() > term)
              .allMatch(c -> follower.own.contains(c.revision())),
          "after the new term began, only replica-b wrote");
      Duration failover = Duration.ofNanos(takenOver - killed);
      System.out.printf("LeaderKilledIT: new term %d ms after the SIGKILL%n", failover.toMillis());
      assertTrue(
          failover.compareTo(Duration.ofSeconds(3 + 10)) < 0,
          "the new leader took over within the lease duration and a bound: " + failover);
    }
  }

  private Process startService() throws IOException {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xmx256m", "-jar", APP.toAbsolutePath().toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.redirectOutput(work.resolve("service.log").toFile());
    Map<String, String> env = builder.environment();
    env.remove("JAVA_TOOL_OPTIONS");
    env.put("HOME", work.toString());
    env.put("KUBECONFIG", work.resolve("kubeconfig").toString());
    env.put("WEBHOOK_PORT", Integer.toString(port));
    env.put("WEBHOOK_TLS_CERT", TestCertificates.SERVER.resolve("tls.crt").toString());
    env.put("WEBHOOK_TLS_KEY", TestCertificates.SERVER.resolve("tls.key").toString());
    env.put("ETCD_ENDPOINTS", ETCD.endpoint());
    env.put("POD_NAME", "jar-leader");
    env.put("POD_NAMESPACE", "calico-policy-webhook");
    env.put("CALICO_RECONCILER_LEASE_DURATION", "3s");
    env.put("CALICO_RECONCILER_LEASE_RENEW_DEADLINE", "2s");
    env.put("CALICO_RECONCILER_LEASE_RETRY_PERIOD", "500ms");
    return builder.start();
  }
}
