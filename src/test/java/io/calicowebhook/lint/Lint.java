package io.calicowebhook.lint;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** Runs the linter in-process, as {@code java -jar} would, and keeps what it printed. */
record Lint(int exitCode, String out, String err) {
  static final Path FILES = Path.of("src", "test", "resources", "lint");

  static Lint run(String... args) {
    return withInput(new byte[0], args);
  }

  static Lint withInput(byte[] stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        PolicyLint.run(
            args,
            new ByteArrayInputStream(stdin),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Lint(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static Lint withInput(String stdin, String... args) {
    return withInput(stdin.getBytes(StandardCharsets.UTF_8), args);
  }

  /** A file under {@code src/test/resources/lint}, as the command line names it. */
  static String file(String name) {
    return FILES.resolve(name).toString();
  }

  List<String> lines() {
    return out.lines().toList();
  }
}
