import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One row of the table that {@code make bench} prints ({@code bench/run.sh}): appended as a
 * tab-separated line to the file named by {@code BENCH_RESULTS}, the same as {@code result} in
 * {@code bench/lib.sh}. Does nothing when a benchmark runs on its own.
 */
final class Results {
  private Results() {}

  static void add(String what, String value, String baseline, String ratio) throws IOException {
    String file = System.getenv("BENCH_RESULTS");
    if (file == null || file.isEmpty()) {
      return;
    }
    String line = String.join("\t", what, value, baseline, ratio) + "\n";
    Files.writeString(
        Path.of(file),
        line,
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }
}
