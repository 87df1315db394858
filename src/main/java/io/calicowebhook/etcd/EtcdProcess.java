package io.calicowebhook.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.stream.Stream;

/**
 * A single-member etcd started from {@code PATH} on free loopback ports: the private etcd of {@code
 * make run} and of the tests. {@link #stop()} and {@link #start()} keep the ports and the data
 * directory, so a test can take etcd away and bring it back with its data; {@link #close()} also
 * deletes a temporary data directory. A port is free when chosen but can be taken by another
 * process before etcd binds it (tests run in parallel on one machine); etcd then exits with
 * "address already in use", and it is started again on new ports, up to {@link #START_ATTEMPTS}
 * times.
 */
public final class EtcdProcess implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  /** Starts on new ports after a port was taken before etcd could bind it. */
  static final int START_ATTEMPTS = 3;

  private final Path dataDir;
  private final boolean ownsDataDir;
  private final Path log;
  private final Optional<ServerTls> tls;
  private final List<String> flags;
  private final int clientPort;
  private final int peerPort;
  private final int metricsPort;
  private final Thread reaper = new Thread(this::kill, "etcd-reaper");
  private Process process;

  /**
   * TLS for the client port: etcd serves {@code cert}/{@code key} and accepts only clients
   * presenting a certificate signed by {@code clientCa} ({@code --client-cert-auth}).
   */
  public record ServerTls(Path cert, Path key, Path clientCa) {}

  private EtcdProcess(
      Path dataDir,
      boolean ownsDataDir,
      Optional<ServerTls> tls,
      List<String> flags,
      IntSupplier ports)
      throws IOException {
    this.dataDir = dataDir;
    this.ownsDataDir = ownsDataDir;
    this.tls = tls;
    this.flags = List.copyOf(flags);
    this.log = Files.createTempFile("etcd-", ".log");
    this.clientPort = ports.getAsInt();
    this.peerPort = ports.getAsInt();
    this.metricsPort = ports.getAsInt();
  }

  /** etcd exited because one of its ports was taken before it could bind it. */
  static final class PortTakenException extends IllegalStateException {
    PortTakenException(String message) {
      super(message);
    }
  }

  /** Starts etcd with a new temporary data directory, deleted by {@link #close()}. */
  public static EtcdProcess startTemporary() {
    return startIn(temporaryDir(), true, Optional.empty(), List.of());
  }

  /**
   * Starts etcd with a new temporary data directory and extra command-line {@code flags}, such as
   * {@code --max-request-bytes=300000}.
   */
  public static EtcdProcess startTemporary(List<String> flags) {
    return startIn(temporaryDir(), true, Optional.empty(), flags);
  }

  /** Starts etcd serving TLS with client certificates, with a new temporary data directory. */
  public static EtcdProcess startTemporary(ServerTls tls) {
    return startIn(temporaryDir(), true, Optional.of(tls), List.of());
  }

  /** Starts etcd on {@code dataDir}, which {@link #close()} leaves in place. */
  public static EtcdProcess startWith(Path dataDir) {
    return startIn(dataDir, false, Optional.empty(), List.of());
  }

  private static Path temporaryDir() {
    try {
      return Files.createTempDirectory("etcd-data-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a data directory for etcd", e);
    }
  }

  private static EtcdProcess startIn(
      Path dataDir, boolean owned, Optional<ServerTls> tls, List<String> flags) {
    return startIn(dataDir, owned, tls, flags, EtcdProcess::freePort);
  }

  /** Starts etcd on ports from {@code ports}, on new ones after a port turned out to be taken. */
  static EtcdProcess startIn(
      Path dataDir, boolean owned, Optional<ServerTls> tls, List<String> flags, IntSupplier ports) {
    for (int attempt = 1; ; attempt++) {
      EtcdProcess etcd;
      try {
        etcd = new EtcdProcess(dataDir, owned, tls, flags, ports);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot prepare etcd", e);
      }
      Runtime.getRuntime().addShutdownHook(etcd.reaper);
      try {
        etcd.start();
        return etcd;
      } catch (PortTakenException e) {
        etcd.discard(); // the data directory stays: etcd binds its ports before writing to it
        if (attempt == START_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  /** The client URL, {@code http://127.0.0.1:<port>} ({@code https} with TLS). */
  public String endpoint() {
    return (tls.isPresent() ? "https" : "http") + "://127.0.0.1:" + clientPort;
  }

  /** Where etcd keeps its data. */
  public Path dataDir() {
    return dataDir;
  }

  /** Whether the etcd process is running. */
  public synchronized boolean running() {
    return process != null && process.isAlive();
  }

  /**
   * Starts etcd (again) on the same ports and data directory and waits until it serves.
   *
   * @throws IllegalStateException when etcd is missing from PATH, exits, or does not serve in time
   */
  public synchronized void start() {
    if (running()) {
      return;
    }
    try {
      process =
          new ProcessBuilder(command())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot run etcd: install etcd 3.4 or newer on PATH (Debian: apt-get install"
              + " etcd-server) or set ETCD_ENDPOINTS",
          e);
    }
    awaitServing();
  }

  /** Stops etcd and waits for it to exit; ports and data stay for {@link #start()}. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /**
   * Kills etcd with SIGKILL, as a crash or the OOM killer would; {@link #start()} brings it back.
   */
  public synchronized void crash() {
    if (process == null) {
      return;
    }
    try {
      process.destroyForcibly().waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /** Stops etcd and deletes its log and, when temporary, its data directory. */
  @Override
  public void close() {
    discard();
    if (ownsDataDir) {
      delete(dataDir);
    }
  }

  /** Stops etcd and deletes its log; the data directory stays. */
  private void discard() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook runs or ran anyway
    }
    delete(log);
  }

  private List<String> command() {
    String peer = "http://127.0.0.1:" + peerPort;
    List<String> command =
        new ArrayList<>(
            List.of(
                "etcd",
                "--name=dev",
                "--data-dir=" + dataDir,
                "--listen-client-urls=" + endpoint(),
                "--advertise-client-urls=" + endpoint(),
                "--listen-peer-urls=" + peer,
                "--initial-advertise-peer-urls=" + peer,
                "--initial-cluster=dev=" + peer,
                "--listen-metrics-urls=" + metricsUrl(),
                "--logger=zap",
                "--log-level=warn"));
    tls.ifPresent(
        server ->
            command.addAll(
                List.of(
                    "--cert-file=" + server.cert(),
                    "--key-file=" + server.key(),
                    "--trusted-ca-file=" + server.clientCa(),
                    "--client-cert-auth")));
    command.addAll(flags);
    return command;
  }

  /** Plain HTTP {@code /health} and {@code /metrics}, whatever the client port requires. */
  private String metricsUrl() {
    return "http://127.0.0.1:" + metricsPort;
  }

  private void awaitServing() {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest health =
        HttpRequest.newBuilder(URI.create(metricsUrl() + "/health"))
            .timeout(Duration.ofSeconds(2))
            .build();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        String exited = "etcd exited with " + process.exitValue() + ": " + logTail();
        throw exited.contains("address already in use")
            ? new PortTakenException(exited)
            : new IllegalStateException(exited);
      }
      if (healthy(http, health)) {
        return;
      }
      pause();
    }
    stop();
    throw new IllegalStateException(
        "etcd did not serve within " + START_TIMEOUT + ": " + logTail());
  }

  private static boolean healthy(HttpClient http, HttpRequest health) {
    try {
      HttpResponse<String> answer = http.send(health, HttpResponse.BodyHandlers.ofString());
      return answer.statusCode() == 200 && answer.body().contains("\"true\"");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for etcd", e);
    }
  }

  private static void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for etcd", e);
    }
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private void kill() {
    Optional.ofNullable(process).ifPresent(Process::destroyForcibly);
  }

  /** A loopback port free at the moment of asking. */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port for etcd", e);
    }
  }

  private static void delete(Path path) {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> tree = Files.walk(path)) {
      tree.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temporary directory left behind is harmless
    }
  }
}
