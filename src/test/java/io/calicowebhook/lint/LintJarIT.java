package io.calicowebhook.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.spi.ToolProvider;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The real {@code target/calico-policy-lint.jar}, run the way a user or CI runs it. */
class LintJarIT {
  private static final List<String> ALLOWED =
      List.of(
          "META-INF/",
          "io/calicowebhook/policy/",
          "io/calicowebhook/pod/",
          "io/calicowebhook/lint/",
          "org/yaml/snakeyaml/",
          "com/fasterxml/jackson/core/");

  @Test
  void holdsOnlyTheLinterTheLanguageAndTwoReaders() throws IOException {
    try (JarFile jar = new JarFile(LintJar.jar().toFile())) {
      Manifest manifest = jar.getManifest();
      assertEquals(PolicyLint.class.getName(), manifest.getMainAttributes().getValue("Main-Class"));
      List<String> foreign =
          jar.stream()
              .map(ZipEntry::getName)
              .filter(name -> name.endsWith(".class"))
              .filter(name -> ALLOWED.stream().noneMatch(name::startsWith))
              .toList();
      assertEquals(List.of(), foreign, "no Quarkus, HTTP, etcd or Felix code");
    }
  }

  /**
   * Every class a class of the jar names is in the jar or in the JDK (jdeps, in-process), so no
   * path of the linter can fail with NoClassDefFoundError, even one the other tests do not take.
   */
  @Test
  void namesNoClassItDoesNotHold() {
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int code =
        jdeps.run(
            new PrintWriter(out),
            new PrintWriter(err),
            "--multi-release",
            "17",
            "--missing-deps",
            LintJar.jar().toString());

    assertEquals(0, code, err::toString);
    assertEquals("", out.toString().strip(), "classes named but not in the jar");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"workloads.yaml, 1", "list.json, 1", "malformed.yaml, 2", "clean.yaml, 0"})
  void printsWhatTheInProcessRunPrints(String name, int exitCode) throws Exception {
    LintJar lint = LintJar.run("", Lint.file(name));

    assertEquals(expected(name + ".out"), lint.out());
    assertEquals(expected(name + ".err"), lint.err());
    assertEquals(exitCode, lint.exitCode());
  }

  @Test
  void readsStandardInputAndPrintsJson() throws Exception {
    String pod = Files.readString(Lint.FILES.resolve("malformed.yaml")).split("\n---\n")[0] + "\n";

    LintJar lint = LintJar.run(pod, "--format", "json", "-");

    JsonNode report = new ObjectMapper().readTree(lint.out());
    assertEquals(1, lint.exitCode());
    assertEquals("<stdin>", report.at("/problems/0/file").asText());
    assertEquals(6, report.at("/problems/0/line").asInt());
    assertEquals(53, report.at("/problems/0/column").asInt());
    assertEquals("", lint.err());
  }

  /** 256 KiB of empty rules, as the apiserver would allow: 20 errors and one line for the rest. */
  @Test
  void boundsTheReportOfAQuarterMillionBadRules() throws Exception {
    String deployment =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n"
            + "    metadata:\n      annotations:\n        projectcalico.org/policy: '"
            + ";".repeat(250_000)
            + "'\n";

    LintJar lint = LintJar.run(deployment, "-");

    List<String> lines = lint.out().lines().toList();
    assertEquals(1, lint.exitCode(), lint.err());
    assertEquals(21, lines.size());
    assertEquals(
        "<stdin>:8:55: error: Deployment web:"
            + " spec.template.metadata.annotations[projectcalico.org/policy]:"
            + " ... and 249981 more bad rules",
        lines.get(20));
  }

  @Test
  void namesAMissingFileWithoutAStackTrace() throws Exception {
    LintJar lint = LintJar.run("", "no-such-file.yaml");

    assertEquals(2, lint.exitCode());
    assertEquals("no-such-file.yaml: fatal: cannot read: no such file\n", lint.err());
  }

  @Test
  void printsUsageForABadCommandLine() throws Exception {
    LintJar lint = LintJar.run("", "--format", "yaml", "x.yaml");

    assertEquals(2, lint.exitCode());
    assertTrue(lint.err().contains("usage: java -jar calico-policy-lint.jar"), lint.err());
  }

  private static String expected(String name) throws IOException {
    Path file = Lint.FILES.resolve(name);
    return Files.exists(file) ? Files.readString(file) : "";
  }
}
