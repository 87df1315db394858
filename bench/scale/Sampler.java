import java.util.ArrayList;
import java.util.List;

/**
 * Samples one replica's resident set size every second and the worker's pending profiles ({@code
 * calico_profiles_pending}) every five, from a thread of its own, until stopped.
 */
final class Sampler {
  private final ServiceJar replica;
  private final List<long[]> rss = new ArrayList<>(); // {time, bytes}
  private final List<Double> pending = new ArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  private Sampler(ServiceJar replica) {
    this.replica = replica;
    this.thread = new Thread(this::sample, "rss-sampler");
    thread.setDaemon(true);
  }

  static Sampler start(ServiceJar replica) {
    Sampler sampler = new Sampler(replica);
    sampler.thread.start();
    return sampler;
  }

  private void sample() {
    for (int i = 0; running; i++) {
      long bytes = replica.rss();
      synchronized (this) {
        rss.add(new long[] {System.nanoTime(), bytes});
      }
      if (i % 5 == 0) {
        double value = replica.metric("calico_profiles_pending");
        synchronized (this) {
          pending.add(value);
        }
      }
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  void stop() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join();
  }

  synchronized long peak() {
    return rss.stream().mapToLong(s -> s[1]).max().orElse(-1);
  }

  synchronized long firstMinutePeak() {
    long from = rss.isEmpty() ? 0 : rss.get(0)[0];
    return rss.stream().filter(s -> s[0] - from < 60e9).mapToLong(s -> s[1]).max().orElse(-1);
  }

  synchronized long lastMinutePeak() {
    long to = rss.isEmpty() ? 0 : rss.get(rss.size() - 1)[0];
    return rss.stream().filter(s -> to - s[0] < 60e9).mapToLong(s -> s[1]).max().orElse(-1);
  }

  /** The highest pending count sampled, the first minute's and the last minute's. */
  synchronized String pendingText() {
    if (pending.isEmpty()) {
      return "no sample";
    }
    int minute = Math.min(12, pending.size());
    double first = pending.subList(0, minute).stream().mapToDouble(d -> d).max().orElse(-1);
    double last =
        pending.subList(pending.size() - minute, pending.size()).stream()
            .mapToDouble(d -> d)
            .max()
            .orElse(-1);
    double all = pending.stream().mapToDouble(d -> d).max().orElse(-1);
    return String.format(
        "%.0f (first minute %.0f, last minute %.0f; %d samples)", all, first, last, pending.size());
  }
}
