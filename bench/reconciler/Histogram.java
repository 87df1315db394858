import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import javax.management.ObjectName;

/**
 * A live-object class histogram (GC.class_histogram: a full GC first), of this JVM ({@link #now})
 * or of what {@code jcmd PID GC.class_histogram} printed for another ({@link #parse}).
 */
record Histogram(long total, Map<String, Long> bytesByClass) {
  static Histogram now() throws Exception {
    return parse(
        (String)
            ManagementFactory.getPlatformMBeanServer()
                .invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "gcClassHistogram",
                    new Object[] {new String[0]},
                    new String[] {String[].class.getName()}));
  }

  /**
   * The histogram in GC.class_histogram's text: a line per class ({@code num: instances bytes
   * name}) and a {@code Total instances bytes} line, which must be there.
   */
  static Histogram parse(String text) {
    Map<String, Long> bytes = new HashMap<>();
    long total = -1;
    for (String line : text.split("\n")) {
      String[] words = line.trim().split("\\s+");
      if (words.length >= 4 && words[0].endsWith(":")) {
        bytes.merge(words[3], Long.parseLong(words[2]), Long::sum);
      } else if (words.length == 3 && words[0].equals("Total")) {
        total = Long.parseLong(words[2]);
      }
    }
    if (total < 0) {
      throw new IllegalStateException("not a class histogram: " + text);
    }
    return new Histogram(total, bytes);
  }

  /** Histograms until two in a row differ by less than 0.5% (transient work settled). */
  static Histogram stable() throws Exception {
    Histogram last = now();
    for (int i = 0; i < 10; i++) {
      Thread.sleep(500);
      Histogram next = now();
      if (Math.abs(next.total - last.total) < last.total / 200) {
        return next;
      }
      last = next;
    }
    return last;
  }

  Histogram minus(Histogram before) {
    Map<String, Long> delta = new HashMap<>(bytesByClass);
    before.bytesByClass.forEach((name, bytes) -> delta.merge(name, -bytes, Long::sum));
    return new Histogram(total - before.total, delta);
  }

  String top(int n, int pods) {
    return bytesByClass.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(n)
        .map(e -> String.format("%s %,d", e.getKey(), e.getValue() / pods))
        .toList()
        .toString();
  }
}
