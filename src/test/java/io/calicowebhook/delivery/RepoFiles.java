package io.calicowebhook.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Files of the repository that delivery depends on, read the way their tools read them. */
public final class RepoFiles {
  public static final Path CHART_YAML = Path.of("helm", "calico-policy-webhook", "Chart.yaml");
  public static final Path VALUES_YAML = Path.of("helm", "calico-policy-webhook", "values.yaml");
  public static final Path DOCKERFILE = Path.of("src", "main", "docker", "Dockerfile.jvm");
  public static final Path WORKFLOWS = Path.of(".github", "workflows");
  public static final Path IMAGE_TAG_SCRIPT = Path.of(".github", "scripts", "image-tag.sh");
  public static final Path E2E = Path.of("e2e");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private RepoFiles() {}

  /** One YAML document as a tree. */
  public static JsonNode yaml(Path file) {
    try {
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The chart's appVersion, the version of the service image. */
  public static String appVersion() {
    return yaml(CHART_YAML).path("appVersion").asText();
  }
}
