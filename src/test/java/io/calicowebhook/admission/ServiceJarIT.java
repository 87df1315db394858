package io.calicowebhook.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calicowebhook.etcd.EtcdExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The packaged service ({@code target/quarkus-app/quarkus-run.jar}, production profile) started as
 * an operator starts it, once with each TLS engine and socket transport: BoringSSL and epoll where
 * their native libraries load (this project's machines: Linux x86_64, glibc), and the JDK's engine
 * on Java NIO, which is what runs wherever they cannot load. Each answers whole reviews over TLS
 * 1.3, programs a valid pod into a real etcd, says in its log which engine and transport serve, and
 * stops cleanly on SIGTERM.
 */
class ServiceJarIT {
  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  private static final Path APP = Path.of("target", "quarkus-app", "quarkus-run.jar");
  private static final Path FIXTURES = Path.of("src", "test", "resources", "admission", "validate");

  private Process service;
  private Path log;

  @BeforeAll
  static void certificates() {
    TestCertificates.deleteCa(TestCertificates.SERVER);
    TestCertificates.generate(TestCertificates.SERVER);
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (service != null && service.isAlive()) {
      service.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "BoringSSL and epoll, -Dio.netty.handler.ssl.noOpenSsl=false, HTTPS served by BoringSSL,"
        + " sockets by epoll",
    "JDK engine and NIO, -Dio.netty.handler.ssl.noOpenSsl=true -Dio.netty.transport.noNative=true,"
        + " HTTPS served by the JDK's TLS engine, sockets by Java NIO (epoll is unavailable"
  })
  void servesReviewsProgramsEtcdAndStopsCleanly(
      String engine, String options, String engineLine, String socketsLine) throws Exception {
    int port = freePort();
    int managementPort = freePort();
    start(port, managementPort, options.split(" "));
    URL base = new URL("https://localhost:" + port);
    SSLContext tls = Tls.context(null, null);
    awaitReady(new URL("https://localhost:" + managementPort), tls);
    assertEquals(404, Tls.get(base, "/q/health/ready", tls).statusCode(), "health is not here");

    assertContains(Files.readString(log), engineLine);
    assertContains(Files.readString(log), socketsLine);
    assertEquals("TLSv1.3", negotiatedProtocol(port));

    HttpResponse<String> denied = post(base, tls, "create-with-invalid-policy-is-denied");
    assertEquals(200, denied.statusCode());
    assertContains(denied.body(), "\"allowed\":false");
    assertContains(denied.body(), "rule 2, column 54: found 'Y' in port list");

    HttpResponse<String> allowed = post(base, tls, "create-with-valid-policy");
    assertContains(allowed.body(), "\"allowed\":true");
    String rules = "/calico/v1/policy/profile/production_frontend-7d4b9c6f5-x2x4k/rules";
    awaitValue(rules);
    assertContains(
        ETCD.kv().value(rules).orElse("(no profile in etcd)"),
        "\"src_tag\":\"production_role_backend\"");

    service.destroy(); // SIGTERM, as the kubelet stops a container
    assertTrue(service.waitFor(30, TimeUnit.SECONDS), "stopped within 30 s");
    String stopped = logText();
    assertContains(stopped, "stopped in");
    assertFalse(stopped.contains("ERROR"), () -> "an ERROR in the log:\n" + stopped);
  }

  private static void assertContains(String text, String part) {
    assertTrue(text.contains(part), () -> "expected '" + part + "' in:\n" + text);
  }

  private void start(int port, int managementPort, String... options) throws IOException {
    Path work = Files.createTempDirectory("service-jar");
    log = work.resolve("service.log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.addAll(List.of(options));
    command.addAll(List.of("-jar", APP.toAbsolutePath().toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    // Local mode: no kubeconfig (Failsafe points KUBECONFIG at the chart tests' mock), no home.
    env.remove("KUBECONFIG");
    env.remove("JAVA_TOOL_OPTIONS");
    env.put("HOME", work.toString());
    env.put("WEBHOOK_PORT", Integer.toString(port));
    env.put("WEBHOOK_MANAGEMENT_PORT", Integer.toString(managementPort));
    env.put("WEBHOOK_TLS_CERT", TestCertificates.SERVER.resolve("tls.crt").toString());
    env.put("WEBHOOK_TLS_KEY", TestCertificates.SERVER.resolve("tls.key").toString());
    env.put("ETCD_ENDPOINTS", ETCD.endpoint());
    service = builder.start();
  }

  /** Readiness as the kubelet probes it: on the management port. */
  private void awaitReady(URL management, SSLContext tls) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
    while (Instant.now().isBefore(deadline)) {
      assertTrue(service.isAlive(), () -> "the service exited; log:\n" + logText());
      try {
        if (Tls.get(management, "/q/health/ready", tls).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("not ready within 2 minutes; log:\n" + logText());
  }

  private static void awaitValue(String key) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (ETCD.kv().value(key).isEmpty() && Instant.now().isBefore(deadline)) {
      Thread.sleep(50);
    }
  }

  private static HttpResponse<String> post(URL base, SSLContext tls, String fixture)
      throws IOException, InterruptedException {
    byte[] review = Files.readAllBytes(FIXTURES.resolve(fixture).resolve("review.json"));
    return Tls.postJson(base, "/validate", tls, review);
  }

  private static String negotiatedProtocol(int port) throws IOException {
    try (SSLSocket socket =
        (SSLSocket) Tls.context(null, null).getSocketFactory().createSocket("localhost", port)) {
      socket.startHandshake();
      return socket.getSession().getProtocol();
    }
  }

  private String logText() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
