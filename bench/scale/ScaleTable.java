import java.util.ArrayList;
import java.util.List;

/** The rows {@code bench/scale} measured, printed as one table and handed to {@code make bench}. */
final class ScaleTable {
  private final List<String[]> rows = new ArrayList<>();

  /** A figure without a goal. */
  void row(String what, String value, String baseline, String ratio) {
    add(what, value, baseline, ratio, "", "");
  }

  /** A figure and whether it met its goal. */
  void goal(String what, String value, String baseline, String ratio, String goal, boolean met) {
    add(what, value, baseline, ratio, goal, met ? "yes" : "NO");
    if (!met) {
      System.out.println("missed: " + what.strip() + ": " + value + " (goal " + goal + ")");
    }
  }

  private void add(
      String what, String value, String baseline, String ratio, String goal, String met) {
    rows.add(new String[] {what, value, baseline, ratio, goal, met});
    System.out.printf("%s: %s%n", what.strip(), value);
    try {
      Results.add(
          "scale: " + what.strip() + (goal.isEmpty() ? "" : " (goal " + goal + ")"),
          value,
          baseline,
          ratio);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  void print() {
    System.out.println();
    System.out.println("| figure | value | baseline | ratio | goal | met? |");
    System.out.println("| --- | --- | --- | --- | --- | --- |");
    for (String[] row : rows) {
      System.out.println("| " + String.join(" | ", row) + " |");
    }
  }
}
