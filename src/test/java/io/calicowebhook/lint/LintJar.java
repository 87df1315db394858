package io.calicowebhook.lint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar target/calico-policy-lint.jar ...} as a separate process with nothing else on
 * its class path, as a user runs it. Failsafe sets {@code lint.jar} (the jar exists from {@code
 * package} on, so only *IT tests use this).
 */
public record LintJar(int exitCode, String out, String err) {

  public static Path jar() {
    return Path.of(System.getProperty("lint.jar", "target/calico-policy-lint.jar"));
  }

  public static LintJar run(String stdin, String... args) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("lint-jar");
    try {
      Path in = Files.writeString(dir.resolve("in"), stdin, StandardCharsets.UTF_8);
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-jar");
      command.add(jar().toString());
      command.addAll(List.of(args));
      ProcessBuilder builder = new ProcessBuilder(command);
      builder.environment().remove("CLASSPATH");
      builder.environment().remove("JAVA_TOOL_OPTIONS");
      Process process =
          builder
              .redirectInput(in.toFile())
              .redirectOutput(dir.resolve("out").toFile())
              .redirectError(dir.resolve("err").toFile())
              .start();
      if (!process.waitFor(2, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException("the linter did not finish: " + command);
      }
      return new LintJar(
          process.exitValue(),
          Files.readString(dir.resolve("out"), StandardCharsets.UTF_8),
          Files.readString(dir.resolve("err"), StandardCharsets.UTF_8));
    } finally {
      try (var files = Files.list(dir)) {
        for (Path file : files.toList()) {
          Files.delete(file);
        }
      }
      Files.delete(dir);
    }
  }
}
