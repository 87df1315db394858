import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The rows of the result table, printed at the end, and the machine the run was on. */
final class ResultTable {
  private static final List<Row> ROWS = new ArrayList<>();

  private ResultTable() {}

  /** One line of the result table. */
  record Row(
      String figure, String value, String baseline, String ratio, String target, String met) {}

  static void row(
      String figure, String value, String baseline, String ratio, String target, String met) {
    ROWS.add(new Row(figure, value, baseline, ratio, target, met));
  }

  static String rate(double perSecond) {
    return String.format("%,.0f profiles/s", perSecond);
  }

  static String ratio(double ratio) {
    return String.format("%.2f", ratio);
  }

  static String met(boolean met) {
    return met ? "yes" : "NO";
  }

  /**
   * Under `make bench`: the rows go into the one table of every benchmark (bench/run.sh), through
   * the shared {@link Results}.
   */
  static void appendToBenchResults() {
    try {
      for (Row r : ROWS) {
        String figure =
            r.target().isBlank() ? r.figure() : r.figure() + " (goal " + r.target() + ")";
        Results.add("reconciler: " + figure.strip(), r.value(), r.baseline(), r.ratio());
      }
    } catch (java.io.IOException e) {
      System.err.println("cannot append to " + System.getenv("BENCH_RESULTS") + ": " + e);
    }
  }

  static void printTable() {
    appendToBenchResults();
    String[] head = {"figure", "value", "baseline", "ratio", "target", "met?"};
    int[] widths = new int[head.length];
    List<String[]> lines = new ArrayList<>();
    lines.add(head);
    ROWS.forEach(
        r ->
            lines.add(
                new String[] {
                  r.figure(), r.value(), r.baseline(), r.ratio(), r.target(), r.met()
                }));
    for (String[] line : lines) {
      for (int i = 0; i < line.length; i++) {
        widths[i] = Math.max(widths[i], line[i].length());
      }
    }
    System.out.println();
    for (String[] line : lines) {
      StringBuilder text = new StringBuilder("|");
      for (int i = 0; i < line.length; i++) {
        text.append(' ').append(String.format("%-" + widths[i] + "s", line[i])).append(" |");
      }
      System.out.println(text);
      if (line == head) {
        StringBuilder rule = new StringBuilder("|");
        for (int width : widths) {
          rule.append(' ').append("-".repeat(width)).append(" |");
        }
        System.out.println(rule);
      }
    }
  }

  static String machine() {
    String cpu = "unknown CPU";
    String memory = "unknown memory";
    try {
      cpu =
          Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
              .filter(l -> l.startsWith("model name"))
              .map(l -> l.substring(l.indexOf(':') + 1).trim())
              .findFirst()
              .orElse(cpu);
      memory =
          Files.readAllLines(Path.of("/proc/meminfo")).stream()
              .filter(l -> l.startsWith("MemTotal"))
              .map(
                  l ->
                      String.format(
                          "%.1f GiB RAM", Long.parseLong(l.replaceAll("\\D", "")) / 1048576.0))
              .findFirst()
              .orElse(memory);
    } catch (java.io.IOException e) {
      // not Linux: leave them unknown
    }
    return String.format(
        "machine: %d CPUs (%s), %s; JDK %s; max heap %d MiB; %s",
        Runtime.getRuntime().availableProcessors(),
        cpu,
        memory,
        System.getProperty("java.vm.version"),
        Runtime.getRuntime().maxMemory() / 1048576,
        etcdVersion());
  }

  static String etcdVersion() {
    try {
      Process etcd = new ProcessBuilder("etcd", "--version").redirectErrorStream(true).start();
      String first =
          new String(etcd.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
              .lines()
              .findFirst()
              .orElse("");
      etcd.waitFor();
      return first;
    } catch (Exception e) {
      return "etcd version unknown";
    }
  }
}
