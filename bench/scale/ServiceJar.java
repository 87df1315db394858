import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One replica of the service as the image runs it: the packaged {@code quarkus-run.jar} with the
 * JVM flags the image's start script gives it in a container with the chart's memory limit (see
 * {@link ChartLimits#jvmFlags}), in cluster mode against the mock API server and one etcd, logging
 * to a file.
 */
final class ServiceJar implements AutoCloseable {
  static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
  private static final Pattern RESYNC =
      Pattern.compile(
          "resync: (\\d+) pods seen; profiles: (\\d+) created, (\\d+) updated, (\\d+) deleted,"
              + " (\\d+) unchanged, (\\d+) foreign, (\\d+) deletes held; (\\d+) ms");

  final String name;
  final Process process;
  final Path log;
  final long started = System.nanoTime();
  final int managementPort;

  private ServiceJar(String name, Process process, Path log, int managementPort) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.managementPort = managementPort;
  }

  /**
   * Starts replica {@code name}.
   *
   * @param memoryLimit the container's memory limit the JVM sizes itself for, bytes
   */
  static ServiceJar start(
      String name,
      Path work,
      int apiPort,
      String etcd,
      long memoryLimit,
      Map<String, String> settings)
      throws IOException {
    Path kubeconfig = work.resolve("kubeconfig");
    Files.writeString(
        kubeconfig,
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Config",
            "clusters: [{name: mock, cluster: {server: 'http://127.0.0.1:" + apiPort + "'}}]",
            "users: [{name: mock, user: {token: mock}}]",
            "contexts: [{name: mock, context: {cluster: mock, user: mock, namespace: default}}]",
            "current-context: mock",
            ""));
    List<String> command = new ArrayList<>();
    // -Dbench.java=<a java> and -Dbench.jvmArgs="<flags>" try another JDK or flags.
    command.add(
        System.getProperty(
            "bench.java", Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(ChartLimits.jvmFlags(memoryLimit));
    String extra = System.getProperty("bench.jvmArgs", "").trim();
    if (!extra.isEmpty()) {
      command.addAll(List.of(extra.split("\\s+")));
    }
    command.addAll(List.of("-jar", JAR.toAbsolutePath().toString()));
    Path log = work.resolve(name + ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.remove("JAVA_TOOL_OPTIONS");
    env.put("HOME", work.toString());
    env.put("KUBECONFIG", kubeconfig.toString());
    env.put("WEBHOOK_PORT", Integer.toString(freePort()));
    int managementPort = freePort();
    env.put("WEBHOOK_MANAGEMENT_PORT", Integer.toString(managementPort));
    env.put("WEBHOOK_TLS_CERT", Path.of("certs/tls.crt").toAbsolutePath().toString());
    env.put("WEBHOOK_TLS_KEY", Path.of("certs/tls.key").toAbsolutePath().toString());
    env.put("ETCD_ENDPOINTS", etcd);
    env.put("POD_NAME", name);
    env.put("POD_NAMESPACE", "calico-policy-webhook");
    env.putAll(settings);
    return new ServiceJar(name, builder.start(), log, managementPort);
  }

  long pid() {
    return process.pid();
  }

  /** Resident set size now, bytes (VmRSS). */
  long rss() {
    return status("VmRSS");
  }

  /** The highest resident set size so far, bytes (VmHWM). */
  long peakRss() {
    return status("VmHWM");
  }

  private long status(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException e) {
      return -1; // the process ended
    }
    return -1;
  }

  /** CPU time used so far, seconds. */
  double cpuSeconds() {
    return ProcessCpu.seconds(pid());
  }

  /** The heap that live objects hold: a full collection, then a class histogram (jcmd). */
  Histogram liveHeap() throws IOException, InterruptedException {
    Process jcmd =
        new ProcessBuilder(
                Path.of(
                        System.getProperty(
                            "bench.java",
                            Path.of(System.getProperty("java.home"), "bin", "java").toString()))
                    .resolveSibling("jcmd")
                    .toString(),
                Long.toString(pid()),
                "GC.class_histogram")
            .redirectErrorStream(true)
            .start();
    String text = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    jcmd.waitFor(60, TimeUnit.SECONDS);
    return Histogram.parse(text);
  }

  /** Whether {@code /q/health/ready} answers 200, as the kubelet's readiness probe asks. */
  boolean ready() {
    try {
      return client()
              .send(
                  request("/q/health/ready"), java.net.http.HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (Exception e) { // NOPMD: not (yet) answering is not ready
      return false;
    }
  }

  private static java.net.http.HttpClient client() throws Exception {
    javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
    tls.init(null, new javax.net.ssl.TrustManager[] {new TrustAll()}, null);
    return java.net.http.HttpClient.newBuilder().sslContext(tls).build();
  }

  private java.net.http.HttpRequest request(String path) {
    return java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("https://localhost:" + managementPort + path))
        .timeout(Duration.ofSeconds(5))
        .build();
  }

  /**
   * The value of gauge {@code name} (without labels) on the management port's {@code /q/metrics},
   * or -1 when it cannot be read. The bench trusts the service's certificate without checking it.
   */
  double metric(String name) {
    try {
      String body =
          client()
              .send(request("/q/metrics"), java.net.http.HttpResponse.BodyHandlers.ofString())
              .body();
      for (String line : body.split("\n")) {
        if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
          return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
    } catch (Exception e) { // NOPMD: a sample the bench can do without
      return -1;
    }
    return -1;
  }

  /** Trusts any server certificate: the bench only reads the metrics of its own child. */
  private static final class TrustAll extends javax.net.ssl.X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String type) {}

    @Override
    public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String type) {}

    @Override
    public void checkClientTrusted(
        java.security.cert.X509Certificate[] chain, String type, java.net.Socket socket) {}

    @Override
    public void checkServerTrusted(
        java.security.cert.X509Certificate[] chain, String type, java.net.Socket socket) {}

    @Override
    public void checkClientTrusted(
        java.security.cert.X509Certificate[] chain, String type, javax.net.ssl.SSLEngine engine) {}

    @Override
    public void checkServerTrusted(
        java.security.cert.X509Certificate[] chain, String type, javax.net.ssl.SSLEngine engine) {}

    @Override
    public java.security.cert.X509Certificate[] getAcceptedIssuers() {
      return new java.security.cert.X509Certificate[0];
    }
  }

  /** The service's log so far. */
  String logText() {
    try {
      return Files.readString(log, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return "";
    }
  }

  /** The resyncs the service logged so far, in order. */
  List<Resync> resyncs() {
    List<Resync> found = new ArrayList<>();
    Matcher matcher = RESYNC.matcher(logText());
    while (matcher.find()) {
      found.add(
          new Resync(
              Integer.parseInt(matcher.group(1)),
              Integer.parseInt(matcher.group(2)),
              Integer.parseInt(matcher.group(3)),
              Integer.parseInt(matcher.group(4)),
              Integer.parseInt(matcher.group(5)),
              Integer.parseInt(matcher.group(7)),
              Duration.ofMillis(Long.parseLong(matcher.group(8)))));
    }
    return found;
  }

  /** One resync's log line. */
  record Resync(
      int pods, int created, int updated, int deleted, int unchanged, int held, Duration took) {
    int queued() {
      return created + updated + deleted;
    }
  }

  /** How often the service logged {@code text}. */
  int count(String text) {
    String all = logText();
    int n = 0;
    for (int at = all.indexOf(text); at >= 0; at = all.indexOf(text, at + 1)) {
      n++;
    }
    return n;
  }

  /** When {@link #stop} sent SIGTERM (System.nanoTime()). */
  volatile long signalled;

  /** SIGTERM, as Kubernetes stops a pod; returns when it exited (System.nanoTime()). */
  long stop() throws InterruptedException {
    signalled = System.nanoTime();
    process.destroy();
    if (!process.waitFor(90, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      throw new IllegalStateException(name + " did not stop within 90 s of SIGTERM");
    }
    return System.nanoTime();
  }

  /** SIGTERM (so that the JVM's agents and shutdown hooks run), SIGKILL after 30 s. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
