package io.calicowebhook.worker;

import java.time.Duration;
import java.util.Random;

/**
 * Exponential backoff with jitter: after the n-th failure in a row a pause drawn uniformly from
 * [d/2, d], d = min(max, min * 2^(n-1)); a success starts over. Not thread-safe.
 */
public final class Backoff {
  private final long minNanos;
  private final long maxNanos;
  private final Random random;
  private int failures;

  public Backoff(Duration min, Duration max, Random random) {
    this.minNanos = min.toNanos();
    this.maxNanos = max.toNanos();
    this.random = random;
  }

  /** The pause after one more failure. */
  public Duration next() {
    long d = minNanos;
    for (int i = 0; i < failures && d < maxNanos; i++) {
      d *= 2;
    }
    d = Math.min(d, maxNanos);
    failures++;
    return Duration.ofNanos(d / 2 + (long) (random.nextDouble() * (d - d / 2)));
  }

  /** A success: the next failure pauses {@code min} again. */
  public void reset() {
    failures = 0;
  }
}
