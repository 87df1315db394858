package io.calicowebhook.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/**
 * The GitHub workflows cannot run here; this parses them as YAML (SnakeYAML, as a YAML 1.1 reader
 * like GitHub's sees them) and checks their structure: permissions and concurrency everywhere,
 * every action pinned to a full commit SHA, formatting checked in CI, the e2e on three Kubernetes
 * versions plus an upgrade, and a release that waits for the e2e, signs what it publishes and takes
 * its notes from CHANGELOG.md.
 */
class WorkflowsTest {
  private static final Path CI = RepoFiles.WORKFLOWS.resolve("ci.yml");
  private static final Path IMAGE = RepoFiles.WORKFLOWS.resolve("image.yml");
  private static final Path E2E = RepoFiles.WORKFLOWS.resolve("e2e.yml");
  private static final Path RELEASE = RepoFiles.WORKFLOWS.resolve("release.yml");
  private static final Path DEPENDABOT = Path.of(".github", "dependabot.yml");
  private static final Path RELEASE_NOTES = Path.of(".github", "scripts", "release-notes.sh");
  private static final String PACKAGE = "./mvnw -B package -DskipTests";
  private static final Pattern PINNED =
      Pattern.compile("[\\w.-]+/[\\w.-]+(/[\\w./-]+)?@[0-9a-f]{40}");
  private static final Pattern USES_LINE =
      Pattern.compile("^\\s*(?:-\\s+)?uses:\\s*(\\S+)\\s*(#.*)?$");
  private static final Pattern NODE_IMAGE =
      Pattern.compile("kindest/node:v(1\\.\\d+)\\.\\d+@sha256:[0-9a-f]{64}");

  @TempDir Path dir;

  static Stream<Path> workflows() throws IOException {
    try (Stream<Path> files = Files.list(RepoFiles.WORKFLOWS)) {
      return files.filter(f -> f.toString().endsWith(".yml")).sorted().toList().stream();
    }
  }

  @Test
  void theWorkflowsAreTheOnesThisTestKnows() throws IOException {
    assertEquals(
        List.of(CI, E2E, IMAGE, RELEASE),
        workflows().sorted().toList(),
        "a new workflow needs its checks here");
  }

  @ParameterizedTest
  @MethodSource("workflows")
  void isAWorkflowWhoseJobsRunStepsOrCallAWorkflow(Path file) {
    Map<String, Object> workflow = load(file);
    assertInstanceOf(String.class, workflow.get("name"), file + ": no name");
    assertNotNull(on(workflow), file + ": no triggers (on)");
    assertFalse(jobs(workflow).isEmpty(), file + ": no jobs");
    jobs(workflow)
        .forEach(
            (name, job) -> {
              String where = file + " job " + name;
              if (job.containsKey("uses")) {
                assertFalse(job.containsKey("steps"), where + ": a called workflow has no steps");
                return;
              }
              assertInstanceOf(String.class, job.get("runs-on"), where + ": no runs-on");
              assertInstanceOf(Integer.class, job.get("timeout-minutes"), where + ": no timeout");
              assertFalse(steps(job).isEmpty(), where + ": no steps");
              for (Map<String, Object> step : steps(job)) {
                assertTrue(
                    step.containsKey("uses") != step.containsKey("run"),
                    where + ": a step needs uses or run: " + step);
              }
            });
  }

  @ParameterizedTest
  @MethodSource("workflows")
  void grantsItsTokenExplicitPermissionsReadOnlyByDefault(Path file) {
    Map<String, Object> workflow = load(file);
    assertEquals(
        Map.of("contents", "read"),
        workflow.get("permissions"),
        file + ": the workflow's default permissions");
    jobs(workflow)
        .forEach(
            (name, job) -> {
              Object permissions = job.get("permissions");
              if (permissions == null) {
                return; // the workflow's read-only default
              }
              Map<String, Object> granted = map(permissions);
              if (granted.containsValue("write")) {
                assertTrue(
                    file.equals(RELEASE),
                    file + " job " + name + ": only the release writes: " + granted);
              }
            });
  }

  @ParameterizedTest
  @MethodSource("workflows")
  void runsInAConcurrencyGroup(Path file) {
    Map<String, Object> concurrency = map(load(file).get("concurrency"));
    assertInstanceOf(String.class, concurrency.get("group"), file + ": no concurrency group");
    assertTrue(
        ((String) concurrency.get("group")).contains("${{ github.workflow }}"),
        file + ": the group must be the workflow's own: " + concurrency.get("group"));
    assertTrue(concurrency.containsKey("cancel-in-progress"), file + ": cancel-in-progress");
  }

  /**
   * Every action is pinned by a full commit SHA, with the release it is in a comment for people and
   * Dependabot; only workflows of this repository ({@code ./}) are called by path.
   */
  @ParameterizedTest
  @MethodSource("workflows")
  void pinsEveryActionToACommitShaNamingItsRelease(Path file) throws IOException {
    List<String> uses = new ArrayList<>();
    Map<String, Object> workflow = load(file);
    jobs(workflow)
        .values()
        .forEach(
            job -> {
              if (job.get("uses") instanceof String called) {
                uses.add(called);
              }
              steps(job).stream()
                  .map(s -> s.get("uses"))
                  .filter(String.class::isInstance)
                  .forEach(u -> uses.add((String) u));
            });
    assertFalse(uses.isEmpty(), file + " uses no action");
    for (String action : uses) {
      assertTrue(
          action.startsWith("./") || PINNED.matcher(action).matches(),
          file + ": " + action + " is not pinned to a commit SHA");
    }
    Map<String, String> comments = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file)) {
      Matcher m = USES_LINE.matcher(line);
      if (m.matches()) {
        comments.put(m.group(1), m.group(2) == null ? "" : m.group(2));
      }
    }
    assertEquals(new TreeSet<>(uses), new TreeSet<>(comments.keySet()), "uses: lines of " + file);
    comments.forEach(
        (action, comment) ->
            assertTrue(
                action.startsWith("./") || comment.matches("# v\\d+\\.\\d+\\.\\d+"),
                file + ": " + action + " needs a '# vX.Y.Z' comment, has '" + comment + "'"));
  }

  /** One release per action across the workflows, so that Dependabot updates them together. */
  @Test
  void usesOneCommitOfEachAction() throws IOException {
    Map<String, Set<String>> commits = new LinkedHashMap<>();
    for (Path file : workflows().toList()) {
      for (String line : Files.readAllLines(file)) {
        Matcher m = USES_LINE.matcher(line);
        if (m.matches() && !m.group(1).startsWith("./")) {
          String[] parts = m.group(1).split("@");
          commits
              .computeIfAbsent(parts[0].toLowerCase(java.util.Locale.ROOT), k -> new TreeSet<>())
              .add(parts[1]);
        }
      }
    }
    commits.forEach((action, shas) -> assertEquals(1, shas.size(), action + ": " + shas));
  }

  @Test
  void dependabotKeepsActionsAndMavenCurrent() {
    Map<String, Object> config = load(DEPENDABOT);
    assertEquals(2, config.get("version"));
    Map<String, String> ecosystems =
        list(config.get("updates")).stream()
            .map(WorkflowsTest::map)
            .collect(
                Collectors.toMap(
                    u -> (String) u.get("package-ecosystem"), u -> (String) u.get("directory")));
    assertEquals(Map.of("github-actions", "/", "maven", "/"), ecosystems);
    for (Object update : list(config.get("updates"))) {
      assertNotNull(map(map(update).get("schedule")).get("interval"), "a schedule: " + update);
    }
  }

  @Test
  void ciChecksFormattingBeforeTheBuildAppliesIt() {
    List<Map<String, Object>> steps = steps(jobs(load(CI)).get("test"));
    int check = indexOf(steps, s -> "./mvnw -B spotless:check".equals(s.get("run")));
    int test = indexOf(steps, s -> "make test".equals(s.get("run")));
    assertTrue(check >= 0, "no ./mvnw -B spotless:check step");
    assertTrue(test > check, "spotless:check must run before the build, which applies spotless");
    assertFalse(
        steps.stream().anyMatch(s -> String.valueOf(s.get("run")).contains("spotless:apply")));
  }

  @ParameterizedTest
  @MethodSource("imageBuilds")
  void buildsTheImageByTheDockerfileFromThePackagedApplication(Path file) {
    for (Map.Entry<String, Map<String, Object>> job : jobs(load(file)).entrySet()) {
      List<Map<String, Object>> steps = steps(job.getValue());
      int built = indexOf(steps, uses("docker/build-push-action@"));
      if (built < 0) {
        continue;
      }
      int packaged = indexOf(steps, s -> String.valueOf(s.get("run")).contains(PACKAGE));
      assertTrue(packaged >= 0 && built > packaged, file + ": image built before " + PACKAGE);
      Map<String, Object> with = map(steps.get(built).get("with"));
      assertEquals(RepoFiles.DOCKERFILE.toString(), with.get("file"));
      assertEquals(".", with.get("context"), "the context holds target/quarkus-app");
    }
    assertTrue(Files.isRegularFile(RepoFiles.DOCKERFILE));
  }

  static Stream<Path> imageBuilds() {
    return Stream.of(IMAGE, E2E, RELEASE);
  }

  @Test
  void branchBuildsPushNothing() {
    Map<String, Object> build =
        map(step(steps(jobs(load(IMAGE)).get("image")), "docker/build-push-action@").get("with"));
    assertEquals(false, build.get("push"));
    assertEquals("linux/amd64,linux/arm64", build.get("platforms"));
    assertFalse(map(on(load(IMAGE)).get("push")).containsKey("tags"), "tags are release.yml's");
  }

  @Test
  void e2eRunsOnThreeKubernetesMinorsWithNodeImagesPinnedByDigest() {
    Map<String, Object> workflow = load(E2E);
    assertTrue(on(workflow).containsKey("workflow_call"), "release.yml calls it");
    Map<String, Object> kind = jobs(workflow).get("kind");
    List<Object> nodes = list(map(map(kind.get("strategy")).get("matrix")).get("node"));
    assertEquals(3, nodes.size(), "three Kubernetes versions");
    Set<String> minors = new TreeSet<>();
    for (Object node : nodes) {
      Matcher m = NODE_IMAGE.matcher(String.valueOf(node));
      assertTrue(m.matches(), node + " is not kindest/node:vX.Y.Z@sha256:<digest>");
      minors.add(m.group(1));
    }
    assertEquals(3, minors.size(), "three different minor versions: " + nodes);
    assertEquals(false, map(kind.get("strategy")).get("fail-fast"), "every version reports");
    Map<String, Object> cluster = map(step(steps(kind), "helm/kind-action@").get("with"));
    assertEquals("${{ matrix.node }}", cluster.get("node_image"));
    assertEquals("${{ env.KIND_VERSION }}", cluster.get("version"));
    assertTrue(
        String.valueOf(map(workflow.get("env")).get("KIND_VERSION"))
            .matches("v\\d+\\.\\d+\\.\\d+"));
  }

  /**
   * Every kind job tests the chart's own namespaceSelector; one of them (an include that extends an
   * existing node, not a fourth job) the service-owned certificates.
   */
  @Test
  void e2eTestsTheChartsSelectorEverywhereAndTheServiceCertificatesOnce() {
    Map<String, Object> kind = jobs(load(E2E)).get("kind");
    Map<String, Object> matrix = map(map(kind.get("strategy")).get("matrix"));
    List<Object> nodes = list(matrix.get("node"));
    List<Object> service =
        list(matrix.get("include")).stream()
            .filter(i -> "service".equals(map(i).get("tls")))
            .toList();
    assertEquals(1, service.size(), "tls.mode=service once: " + matrix);
    assertTrue(
        nodes.contains(map(service.get(0)).get("node")),
        "the include must extend one of the nodes, not add a job: " + service);
    Map<String, Object> e2e = steps(kind).get(indexOf(steps(kind), runs("make e2e")));
    assertEquals("${{ matrix.tls }}", map(e2e.get("env")).get("E2E_TLS_MODE"));
    assertTrue(
        String.valueOf(e2e.get("run")).contains("E2E_NAMESPACE_SELECTOR=chart"), e2e.toString());
  }

  @Test
  void e2eRunsTheImageItBuiltOnAKindCluster() {
    for (String name : List.of("kind", "upgrade")) {
      List<Map<String, Object>> steps = steps(jobs(load(E2E)).get(name));
      Map<String, Object> build = map(step(steps, "docker/build-push-action@").get("with"));
      assertEquals("${{ env.IMAGE }}", build.get("tags"));
      assertEquals(true, build.get("load"), "the image must reach the local Docker");
      assertEquals(
          "${{ env.CLUSTER }}",
          map(step(steps, "helm/kind-action@").get("with")).get("cluster_name"));
      assertTrue(
          String.valueOf(map(step(steps, "azure/setup-helm@").get("with")).get("version"))
              .startsWith("v3."));
      int cluster = indexOf(steps, uses("helm/kind-action@"));
      int loaded = indexOf(steps, runs("kind load docker-image \"$IMAGE\" --name \"$CLUSTER\""));
      int tested = indexOf(steps, runs("make e2e E2E_IMAGE=\"$IMAGE\" E2E_PULL_POLICY=Never"));
      assertTrue(cluster >= 0 && cluster < loaded && loaded < tested, name + ": order of steps");
    }
  }

  @Test
  void theUpgradeJobStartsFromThePreviousReleasesChartAndImage() {
    List<Map<String, Object>> steps = steps(jobs(load(E2E)).get("upgrade"));
    Map<String, Object> checkout = step(steps, "actions/checkout@");
    assertEquals(0, map(checkout.get("with")).get("fetch-depth"), "tags are needed");
    String previous =
        String.valueOf(steps.get(indexOf(steps, s -> "previous".equals(s.get("id")))).get("run"));
    assertTrue(previous.contains("git tag --list 'v*' --sort=-v:refname"), previous);
    String run = String.valueOf(steps.get(indexOf(steps, runs("make e2e"))).get("run"));
    assertTrue(
        run.contains("E2E_UPGRADE_FROM=\"oci://ghcr.io/$owner/charts/calico-policy-webhook@"), run);
    assertTrue(run.contains("E2E_UPGRADE_FROM_IMAGE=\"ghcr.io/$repository:"), run);
  }

  @Test
  void releasesOnlyTagsAndOnlyAfterTheTestsAndTheE2e() {
    Map<String, Object> workflow = load(RELEASE);
    assertEquals(Map.of("push", Map.of("tags", List.of("v*"))), on(workflow));
    Map<String, Map<String, Object>> jobs = jobs(workflow);
    assertEquals("./.github/workflows/e2e.yml", jobs.get("e2e").get("uses"));
    for (String publishing : List.of("image", "chart", "github-release")) {
      Set<String> needs = transitiveNeeds(jobs, publishing);
      assertTrue(needs.contains("e2e"), publishing + " must wait for the e2e: " + needs);
      if (!publishing.equals("github-release")) {
        assertTrue(needs.contains("test"), publishing + " must wait for the tests: " + needs);
      }
    }
    assertEquals(false, map(workflow.get("concurrency")).get("cancel-in-progress"));
  }

  @Test
  void releasesAMultiArchImageWithSbomAndProvenanceAndSignsIt() {
    Map<String, Object> job = jobs(load(RELEASE)).get("image");
    assertEquals(
        Map.of("contents", "read", "packages", "write", "id-token", "write"),
        job.get("permissions"),
        "id-token for keyless signing");
    List<Map<String, Object>> steps = steps(job);
    Map<String, Object> build = map(step(steps, "docker/build-push-action@").get("with"));
    assertEquals("linux/amd64,linux/arm64", build.get("platforms"));
    assertEquals(true, build.get("push"));
    assertEquals(true, build.get("sbom"));
    assertEquals("mode=max", build.get("provenance"));
    assertEquals("${{ steps.meta.outputs.tags }}", build.get("tags"));
    Map<String, Object> meta = map(step(steps, "docker/metadata-action@").get("with"));
    assertEquals("ghcr.io/${{ github.repository }}", meta.get("images"));
    assertTrue(String.valueOf(meta.get("tags")).contains("${{ steps.version.outputs.tag }}"));
    String version =
        String.valueOf(steps.get(indexOf(steps, s -> "version".equals(s.get("id")))).get("run"));
    assertTrue(version.contains(RepoFiles.IMAGE_TAG_SCRIPT + " --check \"$GITHUB_REF_NAME\""));
    int built = indexOf(steps, uses("docker/build-push-action@"));
    int installed = indexOf(steps, uses("sigstore/cosign-installer@"));
    int signed = indexOf(steps, runs("cosign sign --yes"));
    assertTrue(built < signed && installed < signed, "signed after the build");
    assertTrue(String.valueOf(steps.get(signed).get("run")).contains("@$DIGEST"));
    assertEquals(
        "${{ steps.build.outputs.digest }}", map(steps.get(signed).get("env")).get("DIGEST"));
  }

  @Test
  void releasesTheChartToTheRepositorysOciRegistryAndSignsIt() {
    Map<String, Object> job = jobs(load(RELEASE)).get("chart");
    assertEquals("write", map(job.get("permissions")).get("id-token"));
    assertEquals("write", map(job.get("permissions")).get("packages"));
    List<Map<String, Object>> steps = steps(job);
    String run = String.valueOf(steps.get(indexOf(steps, runs("helm push"))).get("run"));
    List<String> lines = run.lines().map(String::strip).toList();
    int packaged = indexOf(lines, "helm package helm/calico-policy-webhook");
    int pushed = indexOf(lines, "helm push ");
    int signed = indexOf(lines, "cosign sign --yes ");
    assertTrue(packaged >= 0 && packaged < pushed && pushed < signed, run);
    assertTrue(lines.get(pushed).contains("\"oci://$registry\""), run);
    assertTrue(lines.contains("registry=ghcr.io/${GITHUB_REPOSITORY_OWNER,,}/charts"), run);
    assertTrue(lines.get(signed).endsWith("\"$registry/calico-policy-webhook@$digest\""), run);
  }

  @Test
  void releaseNotesComeFromTheChangelog() {
    Map<String, Object> job = jobs(load(RELEASE)).get("github-release");
    assertEquals(Map.of("contents", "write"), job.get("permissions"));
    List<Map<String, Object>> steps = steps(job);
    int notes = indexOf(steps, runs(RELEASE_NOTES + " \"$(" + RepoFiles.IMAGE_TAG_SCRIPT + ")\""));
    int created = indexOf(steps, runs("gh release create \"$GITHUB_REF_NAME\""));
    assertTrue(notes >= 0 && notes < created);
    assertTrue(
        String.valueOf(steps.get(created).get("run")).contains("--notes-file release-notes.md"));
  }

  @Test
  void releaseNotesAreTheVersionsChangelogSection() throws IOException {
    Path changelog = dir.resolve("CHANGELOG.md");
    Files.writeString(
        changelog,
        """
        # Changelog

        ## [Unreleased]

        - next

        ## [1.2.0] - 2026-12-01

        ### Added

        - a thing

        ## [1.1.0] - 2026-11-01

        - older

        [1.2.0]: https://example.com/compare/v1.1.0...v1.2.0
        """);
    Command notes = releaseNotes(changelog, "1.2.0");
    assertEquals(0, notes.exitCode(), notes::output);
    assertEquals("### Added\n\n- a thing\n", notes.output());
    assertEquals("- older\n", releaseNotes(changelog, "1.1.0").output());
    Command missing = releaseNotes(changelog, "1.3.0");
    assertEquals(1, missing.exitCode(), missing::output);
    assertTrue(missing.output().contains("has no section '## [1.3.0]'"), missing::output);
  }

  @Test
  void theRepositorysChangelogKeepsAChangelogAndHasAnUnreleasedSection() {
    Command notes =
        Command.run(Duration.ofSeconds(30), Map.of(), RELEASE_NOTES.toString(), "Unreleased");
    assertEquals(0, notes.exitCode(), notes::output);
    assertTrue(notes.output().contains("### Added"), notes::output);
  }

  @Test
  void imageTagIsTheChartsAppVersionAndReleaseTagsMustNameIt() {
    String appVersion = RepoFiles.appVersion();
    assertFalse(appVersion.isBlank());
    assertEquals(appVersion + "\n", imageTag().output());
    assertEquals(appVersion + "\n", imageTag("--check", "v" + appVersion).output());
    assertEquals(0, imageTag("--check", appVersion).exitCode());
    Command wrong = imageTag("--check", "v" + appVersion + ".1");
    assertEquals(1, wrong.exitCode());
    assertTrue(
        wrong.output().contains("does not match the chart's appVersion " + appVersion),
        wrong::output);
  }

  @Test
  void chartPullsWhereReleasesArePushed() {
    Map<String, Object> image = map(load(RepoFiles.VALUES_YAML).get("image"));
    String repository = String.valueOf(image.get("repository"));
    assertTrue(
        repository.matches("ghcr\\.io/[a-z0-9._-]+/[a-z0-9._-]+"),
        repository + " is not a lowercase ghcr.io/<owner>/<repo>");
    assertEquals("", image.get("tag"), "image.tag defaults to the appVersion releases push");
  }

  private Command releaseNotes(Path changelog, String version) {
    return Command.run(
        Duration.ofSeconds(30),
        Map.of("CHANGELOG", changelog.toAbsolutePath().toString()),
        RELEASE_NOTES.toString(),
        version);
  }

  private static Command imageTag(String... args) {
    List<String> command = new ArrayList<>(List.of(RepoFiles.IMAGE_TAG_SCRIPT.toString()));
    command.addAll(List.of(args));
    return Command.run(Duration.ofSeconds(30), Map.of(), command.toArray(String[]::new));
  }

  private static Set<String> transitiveNeeds(Map<String, Map<String, Object>> jobs, String job) {
    Set<String> seen = new TreeSet<>();
    List<String> todo = new ArrayList<>(needs(jobs.get(job)));
    while (!todo.isEmpty()) {
      String next = todo.remove(0);
      if (seen.add(next)) {
        todo.addAll(needs(jobs.get(next)));
      }
    }
    return seen;
  }

  private static List<String> needs(Map<String, Object> job) {
    Object needs = job.get("needs");
    if (needs == null) {
      return List.of();
    }
    return needs instanceof String one
        ? List.of(one)
        : list(needs).stream().map(String::valueOf).toList();
  }

  static Map<String, Object> load(Path file) {
    try {
      return new Yaml().load(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The triggers: YAML 1.1 reads the key {@code on} as the boolean true. */
  private static Map<String, Object> on(Map<String, Object> workflow) {
    Object on = workflow.containsKey("on") ? workflow.get("on") : workflow.get(Boolean.TRUE);
    return on == null ? null : map(on);
  }

  private static Map<String, Map<String, Object>> jobs(Map<String, Object> workflow) {
    Map<String, Map<String, Object>> jobs = new LinkedHashMap<>();
    map(workflow.get("jobs")).forEach((name, job) -> jobs.put(name, map(job)));
    return jobs;
  }

  private static List<Map<String, Object>> steps(Map<String, Object> job) {
    Object steps = job.get("steps");
    return steps == null ? List.of() : list(steps).stream().map(WorkflowsTest::map).toList();
  }

  private static Map<String, Object> step(List<Map<String, Object>> steps, String usesPrefix) {
    int at = indexOf(steps, uses(usesPrefix));
    assertTrue(at >= 0, () -> "no step uses " + usesPrefix);
    return steps.get(at);
  }

  private static Predicate<Map<String, Object>> uses(String prefix) {
    return s -> String.valueOf(s.get("uses")).startsWith(prefix);
  }

  private static Predicate<Map<String, Object>> runs(String part) {
    return s -> s.get("run") instanceof String run && run.contains(part);
  }

  private static <T> int indexOf(List<T> items, Predicate<T> test) {
    for (int i = 0; i < items.size(); i++) {
      if (test.test(items.get(i))) {
        return i;
      }
    }
    return -1;
  }

  private static int indexOf(List<String> lines, String prefix) {
    return indexOf(lines, (Predicate<String>) l -> l.startsWith(prefix));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    if (value == null) {
      return Map.of();
    }
    assertInstanceOf(Map.class, value, () -> "not a mapping: " + value);
    Map<String, Object> result = new LinkedHashMap<>();
    ((Map<Object, Object>) value).forEach((k, v) -> result.put(String.valueOf(k), v));
    return result;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object value) {
    assertInstanceOf(List.class, value, () -> "not a list: " + value);
    return (List<Object>) value;
  }
}
