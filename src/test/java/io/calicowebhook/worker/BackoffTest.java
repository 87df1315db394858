package io.calicowebhook.worker;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static final Duration MIN = Duration.ofMillis(100);
  private static final Duration MAX = Duration.ofSeconds(10);

  @Test
  void doublesUpToTheMaximumWithJitterInTheUpperHalf() {
    Backoff backoff = new Backoff(MIN, MAX, new Random(7));
    long[] ceilings = {100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000};

    for (long ceiling : ceilings) {
      long pause = backoff.next().toMillis();
      assertTrue(pause >= ceiling / 2 && pause <= ceiling, pause + " outside " + ceiling);
    }
  }

  @Test
  void startsOverAfterSuccess() {
    Backoff backoff = new Backoff(MIN, MAX, new Random(7));
    for (int i = 0; i < 20; i++) {
      backoff.next();
    }

    backoff.reset();

    // The first pause again: drawn from [min/2, min], so neither zero nor the grown pause.
    Duration pause = backoff.next();
    assertTrue(
        pause.compareTo(MIN.dividedBy(2)) >= 0 && pause.compareTo(MIN) <= 0,
        pause + " outside [" + MIN.dividedBy(2) + ", " + MIN + "]");
  }

  @Test
  void spreadsPausesOfManyClients() {
    Set<Long> pauses = new HashSet<>();
    for (int seed = 0; seed < 20; seed++) {
      Backoff backoff = new Backoff(MIN, MAX, new Random(seed));
      backoff.next();
      pauses.add(backoff.next().toMillis());
    }

    assertTrue(pauses.size() > 10, "jitter spreads retries: " + pauses);
  }

  @Test
  void neverOverflowsAfterManyFailures() {
    Backoff backoff = new Backoff(Duration.ofSeconds(10), Duration.ofHours(1), new Random(1));
    for (int i = 0; i < 200; i++) {
      backoff.next();
    }

    // Capped at the maximum and still in its upper half: no overflow to a negative or tiny pause.
    Duration pause = backoff.next();
    assertTrue(
        pause.compareTo(Duration.ofMinutes(30)) >= 0 && pause.compareTo(Duration.ofHours(1)) <= 0,
        pause + " outside [30m, 1h]");
  }
}
