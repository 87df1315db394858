package io.calicowebhook.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every shell script of the repository passes shellcheck and can be run as it is invoked. */
class ShellScriptsTest {
  /** Not ours to lint: build output, VCS data, and the generated Maven wrapper. */
  private static final Set<String> SKIPPED_DIRECTORIES = Set.of(".git", "target", "node_modules");

  private static final Set<Path> SKIPPED_FILES = Set.of(Path.of("mvnw"));

  @BeforeAll
  static void needsShellcheck() {
    Command.requireOnPath(
        "shellcheck", "run `make deps` (Debian package shellcheck) before the tests");
  }

  static Stream<Path> scripts() throws IOException {
    Path root = Path.of(".");
    try (Stream<Path> files = Files.walk(root)) {
      return files
          .map(root::relativize)
          .filter(ShellScriptsTest::outsideSkippedDirectories)
          .filter(Files::isRegularFile)
          .filter(file -> !SKIPPED_FILES.contains(file))
          .filter(ShellScriptsTest::isShellScript)
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest
  @MethodSource("scripts")
  void passesShellcheck(Path script) {
    Command result = Command.run(Duration.ofMinutes(1), Map.of(), "shellcheck", script.toString());
    assertEquals(0, result.exitCode(), result::output);
  }

  @ParameterizedTest
  @MethodSource("scripts")
  void isExecutable(Path script) {
    assertTrue(Files.isExecutable(script), script + " is run directly, so it must be executable");
  }

  @Test
  void findsTheScriptsOfEveryCorner() throws IOException {
    List<Path> found = scripts().toList();
    for (String script :
        List.of(".ci/run", "certs/generate.sh", "e2e/run.sh", ".github/scripts/image-tag.sh")) {
      assertTrue(found.contains(Path.of(script)), () -> script + " not among " + found);
    }
  }

  private static boolean outsideSkippedDirectories(Path path) {
    for (Path part : path) {
      if (SKIPPED_DIRECTORIES.contains(part.toString())) {
        return false;
      }
    }
    return true;
  }

  /** A *.sh file, or any file whose first line runs sh or bash. */
  private static boolean isShellScript(Path file) {
    if (file.getFileName().toString().endsWith(".sh")) {
      return true;
    }
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String first = reader.readLine();
      return first != null && first.matches("#!\\s*/(usr/)?bin/(env\\s+)?(ba)?sh\\b.*");
    } catch (java.nio.charset.MalformedInputException e) {
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
