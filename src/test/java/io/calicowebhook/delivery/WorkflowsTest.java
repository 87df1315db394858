package io.calicowebhook.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The GitHub workflows cannot run here; this checks what can be checked without GitHub: that they
 * are well-formed workflows, pin their actions, build the image by the Dockerfile from the packaged
 * application, and tag and push it as the chart expects to pull it.
 */
class WorkflowsTest {
  private static final Path IMAGE = RepoFiles.WORKFLOWS.resolve("image.yml");
  private static final Path E2E = RepoFiles.WORKFLOWS.resolve("e2e.yml");
  private static final String PACKAGE = "./mvnw -B package -DskipTests";

  static Stream<Path> workflows() throws IOException {
    try (Stream<Path> files = Files.list(RepoFiles.WORKFLOWS)) {
      return files.filter(f -> f.toString().endsWith(".yml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("workflows")
  void isAWorkflowWhoseJobsRunSteps(Path file) {
    JsonNode workflow = RepoFiles.yaml(file);
    assertTrue(workflow.path("name").isTextual(), file + ": no name");
    assertFalse(workflow.path("on").isMissingNode(), file + ": no triggers (on)");
    assertTrue(workflow.path("jobs").size() > 0, file + ": no jobs");
    workflow
        .path("jobs")
        .fields()
        .forEachRemaining(
            job -> {
              String where = file + " job " + job.getKey();
              assertTrue(job.getValue().path("runs-on").isTextual(), where + ": no runs-on");
              assertTrue(job.getValue().path("timeout-minutes").isInt(), where + ": no timeout");
              assertTrue(job.getValue().path("steps").size() > 0, where + ": no steps");
              for (JsonNode step : job.getValue().path("steps")) {
                assertTrue(
                    step.has("uses") != step.has("run"), where + ": a step needs uses or run");
              }
            });
  }

  @ParameterizedTest
  @MethodSource("workflows")
  void pinsEveryActionToAMajorVersion(Path file) {
    for (JsonNode step : steps(RepoFiles.yaml(file))) {
      if (step.has("uses")) {
        String uses = step.get("uses").asText();
        assertTrue(uses.matches("[\\w.-]+/[\\w.-]+@v\\d+"), file + ": " + uses);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("imageBuilds")
  void buildsTheImageByTheDockerfileFromThePackagedApplication(Path file) {
    List<JsonNode> steps = steps(RepoFiles.yaml(file));
    int packaged = indexOf(steps, s -> s.path("run").asText().contains(PACKAGE));
    int built =
        indexOf(steps, s -> s.path("uses").asText().startsWith("docker/build-push-action@"));
    assertTrue(packaged >= 0 && built > packaged, file + ": the image is built before " + PACKAGE);
    JsonNode with = steps.get(built).path("with");
    assertEquals(RepoFiles.DOCKERFILE.toString(), with.path("file").asText());
    assertTrue(Files.isRegularFile(RepoFiles.DOCKERFILE));
    assertEquals(".", with.path("context").asText(), "the context holds target/quarkus-app");
  }

  static Stream<Path> imageBuilds() {
    return Stream.of(IMAGE, E2E);
  }

  @Test
  void pushesToTheRepositorysRegistryOnlyForReleaseTagsOfTheAppVersion() {
    JsonNode workflow = RepoFiles.yaml(IMAGE);
    assertTrue(workflow.path("on").path("push").path("tags").toString().contains("\"v*\""));
    List<JsonNode> steps = steps(workflow);
    JsonNode build = step(steps, "docker/build-push-action@").path("with");
    assertEquals("${{ github.ref_type == 'tag' }}", build.path("push").asText());
    JsonNode meta = step(steps, "docker/metadata-action@").path("with");
    assertEquals("ghcr.io/${{ github.repository }}", meta.path("images").asText());
    assertEquals("${{ steps.meta.outputs.tags }}", build.path("tags").asText());
    String version =
        steps
            .get(indexOf(steps, s -> "version".equals(s.path("id").asText())))
            .path("run")
            .asText();
    assertTrue(version.contains(RepoFiles.IMAGE_TAG_SCRIPT + " --check \"$GITHUB_REF_NAME\""));
    assertTrue(meta.path("tags").asText().contains("${{ steps.version.outputs.tag }}"));
    JsonNode jobs = workflow.path("jobs");
    assertEquals("test", jobs.path("image").path("needs").asText(), "release images are tested");
    assertTrue(jobs.path("image").path("permissions").path("packages").asText().equals("write"));
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
    String repository =
        RepoFiles.yaml(RepoFiles.VALUES_YAML).path("image").path("repository").asText();
    assertTrue(
        repository.matches("ghcr\\.io/[a-z0-9._-]+/[a-z0-9._-]+"),
        repository + " is not a lowercase ghcr.io/<owner>/<repo>");
    assertEquals(
        "",
        RepoFiles.yaml(RepoFiles.VALUES_YAML).path("image").path("tag").asText(),
        "image.tag must default to the appVersion, the tag releases are pushed with");
  }

  @Test
  void e2eRunsTheImageItBuiltOnAKindCluster() {
    JsonNode workflow = RepoFiles.yaml(E2E);
    List<JsonNode> steps = steps(workflow);
    JsonNode build = step(steps, "docker/build-push-action@").path("with");
    assertEquals("${{ env.IMAGE }}", build.path("tags").asText());
    assertTrue(build.path("load").asBoolean(), "the image must reach the local Docker");
    assertEquals(
        "${{ env.CLUSTER }}",
        step(steps, "helm/kind-action@").path("with").path("cluster_name").asText());
    assertTrue(
        step(steps, "azure/setup-helm@").path("with").path("version").asText().startsWith("v3."));
    String runs = String.join("\n", steps.stream().map(s -> s.path("run").asText()).toList());
    assertTrue(runs.contains("kind load docker-image \"$IMAGE\" --name \"$CLUSTER\""), runs);
    assertTrue(runs.contains("make e2e E2E_IMAGE=\"$IMAGE\" E2E_PULL_POLICY=Never"), runs);
    int loaded = indexOf(steps, s -> s.path("run").asText().contains("kind load"));
    int tested = indexOf(steps, s -> s.path("run").asText().contains("make e2e"));
    assertTrue(
        indexOf(steps, s -> s.path("uses").asText().startsWith("helm/kind-action@")) < loaded);
    assertTrue(loaded < tested);
  }

  private static Command imageTag(String... args) {
    List<String> command = new ArrayList<>(List.of(RepoFiles.IMAGE_TAG_SCRIPT.toString()));
    command.addAll(List.of(args));
    return Command.run(Duration.ofSeconds(30), Map.of(), command.toArray(String[]::new));
  }

  private static List<JsonNode> steps(JsonNode workflow) {
    List<JsonNode> steps = new ArrayList<>();
    workflow.path("jobs").forEach(job -> job.path("steps").forEach(steps::add));
    return steps;
  }

  private static JsonNode step(List<JsonNode> steps, String usesPrefix) {
    Optional<JsonNode> found =
        steps.stream().filter(s -> s.path("uses").asText().startsWith(usesPrefix)).findFirst();
    assertTrue(found.isPresent(), () -> "no step uses " + usesPrefix);
    return found.get();
  }

  private static int indexOf(List<JsonNode> steps, java.util.function.Predicate<JsonNode> test) {
    for (int i = 0; i < steps.size(); i++) {
      if (test.test(steps.get(i))) {
        return i;
      }
    }
    return -1;
  }
}
