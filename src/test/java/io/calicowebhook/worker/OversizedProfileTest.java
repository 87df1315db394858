package io.calicowebhook.worker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calicowebhook.etcd.EtcdKeys;
import io.calicowebhook.etcd.EtcdKv;
import io.calicowebhook.etcd.EtcdProcess;
import io.calicowebhook.etcd.TxnLimits;
import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.profile.DefaultPolicy;
import io.calicowebhook.profile.ProfileBuilder;
import io.calicowebhook.store.OwnRevisions;
import io.calicowebhook.store.ProfileStore;
import io.etcd.jetcd.Client;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Five pods with a 180 KiB policy among 28 small ones, as in the issue that made one oversized
 * batch fail and be retried whole 336 times: the small profiles are programmed at once, never held
 * back. With etcd's default request limit the large ones fit in transactions of their own bytes;
 * with a smaller limit in etcd than the service's budget, etcd refuses them and they end up
 * fail-closed, alone.
 */
class OversizedProfileTest {
  private static final Duration SOON = Duration.ofSeconds(60);
  private static final String LARGE_POLICY =
      String.join("; ", Collections.nCopies(7_400, "allow from cidr 10.0.0.1"));
  private static final String CLOSED =
      "{\"id\":\"ns_big\",\"inbound_rules\":[],\"outbound_rules\":[{\"action\":\"allow\"}]}";

  @ParameterizedTest(name = "etcd --max-request-bytes={0}")
  @ValueSource(ints = {1_572_864, 300_000})
  void smallProfilesAreNeverHeldBackByLargeOnes(int etcdLimit) throws Exception {
    assertTrue(LARGE_POLICY.length() > 180 * 1024);
    try (EtcdProcess etcd =
            EtcdProcess.startTemporary(List.of("--max-request-bytes=" + etcdLimit));
        EtcdKv kv = new EtcdKv(etcd.endpoint());
        Client client = Client.builder().endpoints(etcd.endpoint()).waitForReady(false).build()) {
      AdmittedPods pods = new AdmittedPods();
      MeterRegistry metrics = new SimpleMeterRegistry();
      ProfileWorker worker = worker(pods, client, metrics);
      List<PodMeta> large =
          IntStream.range(0, 5).mapToObj(i -> pod("big" + i, LARGE_POLICY)).toList();
      List<PodMeta> small = IntStream.range(0, 28).mapToObj(i -> pod("small" + i, null)).toList();
      List<PodMeta> mixed = new ArrayList<>(small);
      IntStream.range(0, 5).forEach(k -> mixed.add(k * 7, large.get(k))); // one in every batch
      mixed.forEach(
          pod -> {
            pods.record(pod);
            worker.submit(pod.key());
          });
      worker.start();
      try {
        await().atMost(SOON).until(() -> worker.pending() == 0);
      } finally {
        worker.close();
      }

      assertEquals(33, kv.count(EtcdKeys.OWNER_PREFIX));
      assertEquals(
          0.0,
          metrics.find("calico.etcd.failures").counters().stream()
              .mapToDouble(Counter::count)
              .sum(),
          "no batch failed whole");
      String bigRules = kv.value(EtcdKeys.rules("ns_big0")).orElseThrow();
      if (etcdLimit > 1_000_000) {
        assertTrue(bigRules.length() > 300_000, "the large policy itself is programmed");
        assertEquals(
            0.0, metrics.counter("calico.profiles.skipped", "reason", "too_large").count());
      } else {
        assertEquals(CLOSED.replace("ns_big", "ns_big0"), bigRules, "refused by etcd: fail-closed");
        assertEquals(
            5.0, metrics.counter("calico.profiles.skipped", "reason", "too_large").count());
      }
    }
  }

  @Test
  void refusalIsForgottenWhenThePolicyChanges() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.startTemporary(List.of("--max-request-bytes=300000"));
        EtcdKv kv = new EtcdKv(etcd.endpoint());
        Client client = Client.builder().endpoints(etcd.endpoint()).waitForReady(false).build()) {
      AdmittedPods pods = new AdmittedPods();
      ProfileWorker worker = worker(pods, client, new SimpleMeterRegistry());
      worker.start();
      try {
        PodMeta big = pod("big", LARGE_POLICY);
        pods.record(big);
        worker.submit(big.key());
        await().atMost(SOON).until(() -> kv.value(EtcdKeys.rules("ns_big")).isPresent());
        assertEquals(CLOSED, kv.value(EtcdKeys.rules("ns_big")).orElseThrow());

        PodMeta fixed = pod("big", "allow from cidr 10.0.0.1");
        pods.record(fixed);
        worker.submit(fixed.key());

        await()
            .atMost(SOON)
            .until(() -> !CLOSED.equals(kv.value(EtcdKeys.rules("ns_big")).orElseThrow()));
        assertEquals(
            "{\"id\":\"ns_big\",\"inbound_rules\":[{\"action\":\"allow\","
                + "\"src_net\":\"10.0.0.1/32\"}],\"outbound_rules\":[{\"action\":\"allow\"}]}",
            kv.value(EtcdKeys.rules("ns_big")).orElseThrow(),
            "the new policy's profile, not the refusal of the old one");
      } finally {
        worker.close();
      }
    }
  }

  private static ProfileWorker worker(AdmittedPods pods, Client client, MeterRegistry metrics) {
    TxnLimits limits = new TxnLimits(128, 1_400_000);
    ProfileStore store =
        new ProfileStore(
            client.getKVClient(), limits, Duration.ofSeconds(10), metrics, new OwnRevisions());
    return new ProfileWorker(
        pods,
        new ProfilePlanner(new ProfileBuilder(DefaultPolicy.NS_ISOLATION), limits),
        store,
        ProblemReports.logOnly(),
        new WorkerSettings(8, Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofSeconds(5)),
        metrics);
  }

  private static PodMeta pod(String name, String policy) {
    Map<String, String> annotations =
        policy == null ? Map.of() : Map.of("projectcalico.org/policy", policy);
    return new PodMeta("ns", name, "uid-" + name, Map.of("app", name), annotations, false);
  }
}
