package io.calicowebhook.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calicowebhook.etcd.EtcdExtension;
import io.calicowebhook.etcd.EtcdKeys;
import io.calicowebhook.etcd.TxnLimits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The watch of profile keys against a real etcd: someone else's changes only, and its end. */
class DriftWatchTest {
  private static final Duration SOON = Duration.ofSeconds(20);

  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  private final OwnRevisions own = new OwnRevisions();
  private final List<String> drifted = new CopyOnWriteArrayList<>();
  private final AtomicInteger broken = new AtomicInteger();

  @Test
  void namesEveryProfileSomeoneElseChangedButNotItsOwnWrites() throws Exception {
    ProfileStore store =
        new ProfileStore(
            ETCD.client().getKVClient(),
            new TxnLimits(128, 1_400_000),
            Duration.ofSeconds(5),
            new SimpleMeterRegistry(),
            own);
    try (DriftWatch watch = start(1)) {
      store
          .write(List.of(new DesiredProfile("ns_a", "{}", "[]", new Owner("u", "ns", "a"))))
          .get(10, TimeUnit.SECONDS);
      ETCD.kv().put(EtcdKeys.rules("ns_edited"), "{}");
      ETCD.kv().deletePrefix(EtcdKeys.profileDir("ns_a"));
      ETCD.kv().put(EtcdKeys.owner("ns_claimed"), "{}");
      ETCD.kv().put("/calico/v1/config/LogSeverityScreen", "info");

      await().atMost(SOON).until(() -> Set.copyOf(drifted).size() == 3);
      assertEquals(Set.of("ns_edited", "ns_a", "ns_claimed"), Set.copyOf(drifted));
      assertEquals(0, broken.get());
    }
  }

  @Test
  void endsOnceWhenItsRevisionIsCompacted() throws Exception {
    ETCD.kv().put(EtcdKeys.rules("ns_x"), "1");
    ETCD.kv().put(EtcdKeys.rules("ns_x"), "2");
    long now = ETCD.kv().modRevision(EtcdKeys.rules("ns_x"));
    ETCD.client().getKVClient().compact(now).get(10, TimeUnit.SECONDS);

    try (DriftWatch watch = start(1)) {
      await().atMost(SOON).until(() -> broken.get() == 1);
      ETCD.kv().put(EtcdKeys.rules("ns_y"), "after");
      await().during(Duration.ofMillis(500)).atMost(SOON).until(() -> broken.get() == 1);
      assertTrue(drifted.isEmpty(), "nothing after the end: " + drifted);
    }
  }

  private DriftWatch start(long from) {
    return DriftWatch.start(
        ETCD.client().getWatchClient(), own, from, drifted::add, broken::incrementAndGet);
  }
}
