package io.calicowebhook.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code policy} is the pure language: its main sources use the JDK and each other, nothing else of
 * the service (no profile, escaping or Felix JSON) and no library, so it can never grow a cycle
 * with the packages that use it.
 */
class PolicyPackageTest {
  private static final Path SOURCES =
      Path.of("src", "main", "java", "io", "calicowebhook", "policy");
  private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)");
  private static final Pattern SERVICE_NAME = Pattern.compile("\\bio\\.calicowebhook\\.(\\w+)");

  @Test
  void importsOnlyTheJdkAndItself() throws IOException {
    List<String> offending = new ArrayList<>();
    for (Path source : sources()) {
      for (String line : Files.readAllLines(source)) {
        Matcher m = IMPORT.matcher(line);
        if (m.find() && !allowed(m.group(1))) {
          offending.add(source.getFileName() + ": " + line);
        }
      }
    }
    assertEquals(List.of(), offending);
  }

  @Test
  void namesNoOtherPackageOfTheServiceEvenFullyQualified() throws IOException {
    List<String> offending = new ArrayList<>();
    for (Path source : sources()) {
      Matcher m = SERVICE_NAME.matcher(Files.readString(source));
      while (m.find()) {
        if (!m.group(1).equals("policy")) {
          offending.add(source.getFileName() + ": " + m.group());
        }
      }
    }
    assertEquals(List.of(), offending);
  }

  private static boolean allowed(String imported) {
    return imported.startsWith("java.") || imported.startsWith("io.calicowebhook.policy.");
  }

  private static List<Path> sources() throws IOException {
    try (Stream<Path> files = Files.list(SOURCES)) {
      List<Path> sources = files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
      assertTrue(sources.size() > 10, "found the policy sources in " + SOURCES.toAbsolutePath());
      return sources;
    }
  }
}
