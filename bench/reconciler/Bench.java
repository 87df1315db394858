import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waiting, etcd counts and checks shared by the phases. */
final class Bench {
  static final Duration LONG = Duration.ofMinutes(10);

  private Bench() {}

  /**
   * Polls {@code condition} every {@code every} until true (at most {@link #LONG}); returns when it
   * was seen true. Sleeps between polls: the bench must not take CPU from what it measures.
   */
  static long awaitAt(BooleanSupplier condition, Duration every) throws InterruptedException {
    long deadline = System.nanoTime() + LONG.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("gave up after " + LONG);
      }
      Thread.sleep(every.toMillis());
    }
    return System.nanoTime();
  }

  static long count(KV kv, String prefix) {
    try {
      return kv.get(bytes(prefix), GetOption.builder().isPrefix(true).withCountOnly(true).build())
          .get(10, TimeUnit.SECONDS)
          .getCount();
    } catch (Exception e) {
      throw new IllegalStateException("cannot count " + prefix, e);
    }
  }

  static long revision(KV kv) throws Exception {
    return kv.get(bytes("/"), GetOption.builder().withCountOnly(true).build())
        .get(10, TimeUnit.SECONDS)
        .getHeader()
        .getRevision();
  }

  static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  static void require(boolean condition, String what) {
    if (!condition) {
      throw new IllegalStateException(what);
    }
  }
}
