package io.calicowebhook.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calicowebhook.worker.CoalescingQueue.Entry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoalescingQueueTest {
  private static final Duration NO_WAIT = Duration.ZERO;
  private final CoalescingQueue<String> queue = new CoalescingQueue<>();

  @Test
  void keepsOnePendingEntryPerKey() throws InterruptedException {
    for (int i = 0; i < 1000; i++) {
      queue.offer("a");
      queue.offer("b");
    }

    assertEquals(2, queue.size());
    assertEquals(List.of("a", "b"), keys(queue.take(10, NO_WAIT)));
    assertEquals(List.of(), queue.take(10, NO_WAIT));
  }

  @Test
  void handsOutAtMostMaxKeysInQueueOrder() throws InterruptedException {
    List.of("c", "a", "b").forEach(queue::offer);

    assertEquals(List.of("c", "a"), keys(queue.take(2, NO_WAIT)));
    assertEquals(List.of("b"), keys(queue.take(2, NO_WAIT)));
  }

  @Test
  void neverHandsOutAKeyInFlightAgain() throws InterruptedException {
    queue.offer("a");
    queue.take(1, NO_WAIT);

    queue.offer("a");

    assertEquals(List.of(), queue.take(1, NO_WAIT));
    assertEquals(1, queue.size());
  }

  @Test
  void queuesKeyOfferedWhileInFlightAgainWhenDone() throws InterruptedException {
    queue.offer("a");
    queue.take(1, NO_WAIT);
    queue.offer("a");

    queue.done("a");

    assertEquals(List.of("a"), keys(queue.take(1, NO_WAIT)));
  }

  @Test
  void forgetsKeyDoneWithoutNewOffer() throws InterruptedException {
    queue.offer("a");
    queue.take(1, NO_WAIT);

    queue.done("a");

    assertEquals(0, queue.size());
    assertEquals(List.of(), queue.take(1, NO_WAIT));
  }

  @Test
  void retryKeepsTheEarliestTime() throws InterruptedException {
    queue.offer("a");
    Entry<String> first = queue.take(1, NO_WAIT).get(0);
    queue.offer("a");

    queue.retry(first);

    List<Entry<String>> again = queue.take(1, NO_WAIT);
    assertEquals(List.of(first), again);
    assertEquals(1, queue.size());
  }

  @Test
  void awaitEmptyReportsWorkLeft() throws InterruptedException {
    queue.offer("a");
    assertFalse(queue.awaitEmpty(Duration.ofMillis(10)));

    queue.take(1, NO_WAIT);
    queue.done("a");

    assertTrue(queue.awaitEmpty(Duration.ofMillis(10)));
  }

  @Test
  void takeWakesUpWhenAKeyArrives() throws Exception {
    Thread producer = new Thread(() -> queue.offer("late"));

    producer.start();
    List<Entry<String>> taken = queue.take(1, Duration.ofSeconds(10));

    producer.join();
    assertEquals(List.of("late"), keys(taken));
  }

  private static List<String> keys(List<Entry<String>> entries) {
    return entries.stream().map(Entry::key).toList();
  }
}
