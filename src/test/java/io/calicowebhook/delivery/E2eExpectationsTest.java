package io.calicowebhook.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.policy.PolicyError;
import io.calicowebhook.policy.PolicyParser;
import io.calicowebhook.profile.DefaultPolicy;
import io.calicowebhook.profile.Escaping;
import io.calicowebhook.profile.Profile;
import io.calicowebhook.profile.ProfileBuilder;
import io.calicowebhook.store.Owner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What e2e/run.sh expects of a cluster (e2e/expected) is what this code answers for the pods of
 * e2e/manifests, and what docs/development.md documents; so a failing e2e run means the deployed
 * service misbehaves, not that the test drifted.
 */
class E2eExpectationsTest {
  private static final Path MANIFESTS = RepoFiles.E2E.resolve("manifests");
  private static final Path EXPECTED = RepoFiles.E2E.resolve("expected");
  private static final String KEY = "projectcalico.org/policy";
  private static final String NAMESPACE = "cpw-e2e-0a1b2c3d-apps";
  private static final String UID = "c1a7e2a8-3f7e-4b2a-9c1e-6d0932649667";

  @Test
  void brokenPodIsDeniedWithWhatTheParserSays() throws IOException {
    String policy = annotations(pod("pod-broken.yaml")).get(KEY).asText();
    List<PolicyError> errors = PolicyParser.parse(KEY, policy).errors();
    String message = String.join("\n", errors.stream().map(PolicyError::message).toList());
    assertEquals(message, expected("pod-broken.txt"));
  }

  @Test
  void brokenDeploymentIsDeniedWithTheSameErrorAtItsTemplatePath() throws IOException {
    JsonNode deployment = pod("deployment-broken.yaml").path("spec").path("template");
    assertEquals(annotations(pod("pod-broken.yaml")).get(KEY), annotations(deployment).get(KEY));
    assertEquals(
        expected("pod-broken.txt")
            .replace(KEY + ":", "spec.template.metadata.annotations[" + KEY + "]:"),
        expected("deployment-broken.txt"));
  }

  @Test
  void webPodBecomesTheExpectedProfile() throws IOException {
    JsonNode web = pod("pod-web.yaml");
    ObjectMapper json = new ObjectMapper();
    Map<String, String> labels = json.convertValue(web.path("metadata").path("labels"), MAP);
    PodMeta meta =
        new PodMeta(
            NAMESPACE,
            web.path("metadata").path("name").asText(),
            UID,
            labels,
            json.convertValue(annotations(web), MAP),
            false);
    Profile profile = new ProfileBuilder(DefaultPolicy.NS_ISOLATION).build(meta).orElseThrow();
    assertEquals(profile.rulesJson(), rendered("web-rules.json"));
    assertEquals(NAMESPACE + "_web", profile.id());
    // SPEC section 3: the namespace tag and one tag per label (no tag of the profile's own id).
    List<String> tags =
        Stream.concat(
                Stream.of(Escaping.namespaceTag(NAMESPACE)),
                labels.entrySet().stream()
                    .map(l -> Escaping.labelTag(NAMESPACE, l.getKey(), l.getValue())))
            .sorted()
            .toList();
    assertEquals(json.writeValueAsString(tags), rendered("web-tags.json"));
    assertEquals(new Owner(UID, NAMESPACE, "web").toJson(), rendered("web-owner.json"));
  }

  static Stream<Path> expectedTexts() throws IOException {
    try (Stream<Path> files = Files.list(EXPECTED)) {
      return files.filter(f -> f.toString().endsWith(".txt")).sorted().toList().stream();
    }
  }

  @ParameterizedTest
  @MethodSource("expectedTexts")
  void everyExpectedMessageIsDocumentedWordForWord(Path file) throws IOException {
    String documented = Files.readString(Path.of("docs", "development.md"));
    String text = Files.readString(file).strip();
    assertTrue(documented.contains(text), () -> file + " is not in docs/development.md: " + text);
  }

  private static final com.fasterxml.jackson.core.type.TypeReference<Map<String, String>> MAP =
      new com.fasterxml.jackson.core.type.TypeReference<>() {};

  private static JsonNode pod(String manifest) {
    return RepoFiles.yaml(MANIFESTS.resolve(manifest));
  }

  private static JsonNode annotations(JsonNode object) {
    return object.path("metadata").path("annotations");
  }

  private static String expected(String file) throws IOException {
    return Files.readString(EXPECTED.resolve(file)).strip();
  }

  /** As e2e/run.sh fills in the placeholders. */
  private static String rendered(String file) throws IOException {
    return expected(file).replace("{namespace}", NAMESPACE).replace("{uid}", UID);
  }
}
