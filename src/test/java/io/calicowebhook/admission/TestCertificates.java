package io.calicowebhook.admission;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real certificates for every {@code @QuarkusTest}: runs {@code certs/generate.sh} into {@code
 * target/test-certs/server} (a fresh CA per run, never committed) and points the HTTPS listener at
 * them, with a one-second reload period so rotation is observable.
 */
@QuarkusTestResource(TestCertificates.class)
public class TestCertificates implements QuarkusTestResourceLifecycleManager {
  public static final Path SERVER = Path.of("target", "test-certs", "server").toAbsolutePath();

  @Override
  public Map<String, String> start() {
    deleteCa(SERVER);
    generate(SERVER);
    return Map.of(
        "calico.webhook.tls-cert", SERVER.resolve("tls.crt").toString(),
        "calico.webhook.tls-key", SERVER.resolve("tls.key").toString(),
        "calico.webhook.tls-reload-period", "1s");
  }

  @Override
  public void stop() {}

  /** Runs {@code certs/generate.sh -o dir} plus {@code extra} arguments; fails on any error. */
  public static void generate(Path dir, String... extra) {
    String[] command = new String[3 + extra.length];
    command[0] = Path.of("certs", "generate.sh").toAbsolutePath().toString();
    command[1] = "-o";
    command[2] = dir.toString();
    System.arraycopy(extra, 0, command, 3, extra.length);
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("certs/generate.sh failed for " + dir);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run certs/generate.sh", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A fresh CA per test run: the script reuses an existing one. */
  static void deleteCa(Path dir) {
    try {
      Files.deleteIfExists(dir.resolve("ca.crt"));
      Files.deleteIfExists(dir.resolve("ca.key"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
