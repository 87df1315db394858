import io.calicowebhook.policy.PolicyParser;
import io.calicowebhook.policy.PolicyResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * Parse time of 256 KiB annotations against a baseline measured in the same run: tokenizing the
 * same text with String.split (the least any parser must do). Prints the median of many runs.
 */
public final class PolicyParseBench {
  private static final int SIZE = 256 * 1024;
  private static final int WARMUP = 30;
  private static final int RUNS = 40;

  /** The goal: parsing costs at most this many times the split baseline, and under 100 ms. */
  private static final double MAX_RATIO = 25.0;

  private static final double MAX_MS = 100.0;

  public static void main(String[] args) throws java.io.IOException {
    Map<String, String> inputs = new LinkedHashMap<>();
    inputs.put(
        "valid, many rules",
        fill("allow tcp from ports 80,443 label app=web cidr 10.0.0.0/8 to ports 8000:8080; ")
            + "allow");
    inputs.put(
        "valid, ipv6 and labels",
        fill("allow from label app.kubernetes.io/name=web cidr 2001:db8::/32 to cidr ::1; ")
            + "allow");
    inputs.put("only semicolons", fill(";"));
    inputs.put("many bad rules", fill("deny; "));
    inputs.put("one huge port list", "allow tcp to ports " + fill("1,") + "1");
    inputs.put("one huge word", "x".repeat(SIZE));

    for (String name :
        List.of("valid, many rules", "valid, ipv6 and labels", "one huge port list")) {
      if (!PolicyParser.parse("k", inputs.get(name)).valid()) {
        throw new IllegalStateException(name + " should be a valid policy");
      }
    }
    boolean ok = true;
    System.out.printf(
        "%-24s %10s %12s %8s%n", "input (256 KiB)", "parse ms", "baseline ms", "ratio");
    for (Map.Entry<String, String> input : inputs.entrySet()) {
      String text = input.getValue();
      double parse = medianMs(text, PolicyParseBench::parse);
      double baseline = medianMs(text, PolicyParseBench::splitBaseline);
      double ratio = parse / baseline;
      ok &= ratio <= MAX_RATIO && parse <= MAX_MS;
      System.out.printf("%-24s %10.2f %12.2f %8.1f%n", input.getKey(), parse, baseline, ratio);
      Results.add(
          "policy parse, 256 KiB: " + input.getKey() + " (goal ratio <= 25, <= 100 ms)",
          String.format("%.2f ms", parse),
          String.format("`String.split`: %.2f ms", baseline),
          String.format("%.1f", ratio));
    }
    System.out.printf(
        "goal: ratio <= %.0f and parse <= %.0f ms: %s%n", MAX_RATIO, MAX_MS, ok ? "met" : "MISSED");
    System.exit(ok ? 0 : 1);
  }

  /** {@code unit} repeated to about 256 KiB. */
  private static String fill(String unit) {
    return unit.repeat(SIZE / unit.length());
  }

  private static int parse(String text) {
    PolicyResult result = PolicyParser.parse("projectcalico.org/policy", text);
    return result.rules().size() + result.badRules();
  }

  /** Baseline: split into rules and whitespace-separated words, as a naive parser would. */
  private static int splitBaseline(String text) {
    int words = 0;
    for (String rule : text.split(";", -1)) {
      words += rule.trim().split("\\s+").length;
    }
    return words;
  }

  private static double medianMs(String text, ToIntFunction<String> work) {
    int sink = 0;
    for (int i = 0; i < WARMUP; i++) {
      sink += work.applyAsInt(text);
    }
    List<Double> times = new ArrayList<>();
    for (int i = 0; i < RUNS; i++) {
      long start = System.nanoTime();
      sink += work.applyAsInt(text);
      times.add((System.nanoTime() - start) / 1e6);
    }
    if (sink == 42) {
      System.out.print("");
    }
    Collections.sort(times);
    return times.get(RUNS / 2);
  }
}
