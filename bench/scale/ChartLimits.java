import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The memory the service gets in a cluster, read from where it is set: the chart's default memory
 * limit ({@code resources.limits.memory} in values.yaml) and what the image asks its start script
 * ({@code run-java.sh} of the UBI OpenJDK runtime images) for in Dockerfile.jvm: the heap's share
 * of the limit, at most and at first ({@code JAVA_MAX_MEM_RATIO}, {@code JAVA_INITIAL_MEM_RATIO}),
 * and the free heap the parallel collector keeps after a collection ({@code
 * GC_MIN_HEAP_FREE_RATIO}, {@code GC_MAX_HEAP_FREE_RATIO}); the script's defaults for what the
 * image does not set.
 */
final class ChartLimits {
  static final Path VALUES = Path.of("helm/calico-policy-webhook/values.yaml");
  static final Path DOCKERFILE = Path.of("src/main/docker/Dockerfile.jvm");
  private static final Pattern QUANTITY = Pattern.compile("memory:\\s*(\\d+)(Mi|Gi)\\s*");

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

  /** The image's setting {@code name} for its start script, or {@code otherwise}. */
  static int imageSetting(String name, int otherwise) {
    Pattern setting = Pattern.compile("\\b" + name + "=\"?(\\d+)");
    for (String line : read(DOCKERFILE)) {
      Matcher value = setting.matcher(line);
      if (value.find()) {
        return Integer.parseInt(value.group(1));
      }
    }
    return otherwise;
  }

  /**
   * The JVM flags the start script makes of the image's settings (its defaults otherwise: heap 80
   * %, free ratios 10 and 20, no initial share), with {@code -XX:MaxRAM} standing in for the
   * container's limit, which the JVM reads from its cgroup in a container.
   */
  static List<String> jvmFlags(long memoryLimit) {
    List<String> flags = new java.util.ArrayList<>();
    flags.add("-XX:MaxRAM=" + memoryLimit);
    int initial = imageSetting("JAVA_INITIAL_MEM_RATIO", 0);
    if (initial > 0) {
      flags.add("-XX:InitialRAMPercentage=" + initial + ".0");
    }
    flags.add("-XX:MaxRAMPercentage=" + imageSetting("JAVA_MAX_MEM_RATIO", 80) + ".0");
    flags.add("-XX:+UseParallelGC");
    flags.add("-XX:MinHeapFreeRatio=" + imageSetting("GC_MIN_HEAP_FREE_RATIO", 10));
    flags.add("-XX:MaxHeapFreeRatio=" + imageSetting("GC_MAX_HEAP_FREE_RATIO", 20));
    flags.add("-XX:GCTimeRatio=" + imageSetting("GC_TIME_RATIO", 4));
    flags.add("-XX:AdaptiveSizePolicyWeight=90");
    flags.add("-XX:+ExitOnOutOfMemoryError");
    return flags;
  }

  private static List<String> read(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException("run from the project's root directory", e);
    }
  }
}
