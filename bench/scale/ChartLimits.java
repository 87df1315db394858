import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The memory the service gets in a cluster, read from where it is set: the chart's default memory
 * limit ({@code resources.limits.memory} in values.yaml) and the heap's share of it that the image
 * asks the start script for ({@code JAVA_MAX_MEM_RATIO} in Dockerfile.jvm; the start script's own
 * default, 80, when the image sets none).
 */
final class ChartLimits {
  static final Path VALUES = Path.of("helm/calico-policy-webhook/values.yaml");
  static final Path DOCKERFILE = Path.of("src/main/docker/Dockerfile.jvm");
  private static final Pattern QUANTITY = Pattern.compile("memory:\\s*(\\d+)(Mi|Gi)\\s*");
  private static final Pattern RATIO = Pattern.compile("JAVA_MAX_MEM_RATIO=\"?(\\d+)");

  private ChartLimits() {}

  /** The chart's default memory limit, bytes. */
  static long memoryLimit() {
    List<String> lines = read(VALUES);
    int resources = lines.indexOf("resources:");
    for (int i = resources + 1; i > 0 && i < lines.size() && lines.get(i).startsWith(" "); i++) {
      if (lines.get(i).trim().equals("limits:")) {
        Matcher quantity = QUANTITY.matcher(lines.get(i + 1).trim());
        if (quantity.matches()) {
          long unit = quantity.group(2).equals("Gi") ? 1L << 30 : 1L << 20;
          return Long.parseLong(quantity.group(1)) * unit;
        }
      }
    }
    throw new IllegalStateException("no resources.limits.memory in " + VALUES);
  }

  /** The heap's share of the memory limit, percent. */
  static int heapPercent() {
    for (String line : read(DOCKERFILE)) {
      Matcher ratio = RATIO.matcher(line);
      if (line.startsWith("ENV") && ratio.find()) {
        return Integer.parseInt(ratio.group(1));
      }
    }
    return 80;
  }

  private static List<String> read(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException("run from the project's root directory", e);
    }
  }
}
