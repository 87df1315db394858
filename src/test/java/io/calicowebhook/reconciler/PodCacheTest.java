package io.calicowebhook.reconciler;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.calicowebhook.pod.PodKey;
import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.worker.PodState;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pod informer's cache: the three answers, what it keeps, and which changes it reports. */
@EnableKubernetesMockClient(crud = true)
class PodCacheTest {
  private static final Duration SOON = Duration.ofSeconds(20);

  static KubernetesMockServer server;
  static KubernetesClient client;

  private final List<PodKey> changes = new CopyOnWriteArrayList<>();
  private PodCache cache;

  @BeforeEach
  void startCache() {
    cache = new PodCache(client, 2, java.time.Duration.ofMinutes(3));
    cache.onChange(changes::add);
  }

  @AfterEach
  void stopCache() {
    cache.close();
    client.pods().inAnyNamespace().delete();
  }

  @Test
  void knowsNothingBeforeItsFirstListingThenPresentOrGone() {
    client.resource(heavy("ns", "web")).create();
    assertInstanceOf(PodState.Unknown.class, cache.state(new PodKey("ns", "web")));

    cache.start();
    await().atMost(SOON).until(cache::synced);

    assertInstanceOf(PodState.Present.class, cache.state(new PodKey("ns", "web")));
    assertInstanceOf(PodState.Gone.class, cache.state(new PodKey("ns", "nothing")));
  }

  @Test
  void keepsOnlyWhatAProfileNeeds() {
    Pod pod = client.resource(heavy("ns", "web")).create();
    cache.start();
    await().atMost(SOON).until(cache::synced);

    PodMeta kept = ((PodState.Present) cache.state(new PodKey("ns", "web"))).pod();

    assertEquals(
        new PodMeta(
            "ns",
            "web",
            pod.getMetadata().getUid(),
            Map.of("app", "web", "pod-template-hash", "7d4b9c6f5"),
            Map.of("projectcalico.org/policy", "allow tcp to ports 80", "policy", "allow"),
            false),
        kept);
  }

  @Test
  void reportsProfileChangesAndPassesOverStatusUpdates() {
    cache.start();
    await().atMost(SOON).until(cache::synced);
    Pod pod = client.resource(heavy("ns", "web")).create();
    await().atMost(SOON).until(() -> changes.size() == 1);

    Pod running =
        new PodBuilder(pod)
            .editOrNewStatus()
            .withPhase("Running")
            .withPodIP("10.1.2.3")
            .endStatus()
            .build();
    client.resource(running).updateStatus();
    Pod annotated =
        new PodBuilder(client.resource(running).get())
            .editMetadata()
            .addToAnnotations("prometheus.io/scrape", "true")
            .endMetadata()
            .build();
    client.resource(annotated).update();
    client
        .resource(
            new PodBuilder(client.resource(annotated).get())
                .editMetadata()
                .addToLabels("tier", "front")
                .endMetadata()
                .build())
        .update();
    await().atMost(SOON).until(() -> changes.size() >= 2);
    client.resource(pod).delete();

    await().atMost(SOON).until(() -> changes.size() == 3);
    await().during(Duration.ofMillis(300)).atMost(SOON).until(() -> changes.size() == 3);
    assertEquals(List.of(pod(), pod(), pod()), changes, "create, label change, delete");
    assertInstanceOf(PodState.Gone.class, cache.state(new PodKey("ns", "web")));
  }

  private static PodKey pod() {
    return new PodKey("ns", "web");
  }

  /** A pod as an API server returns it: managed fields and a last-applied configuration. */
  static Pod heavy(String namespace, String name) {
    return new PodBuilder(
            TestPods.pod(
                namespace,
                name,
                Map.of("app", name, "pod-template-hash", "7d4b9c6f5"),
                "allow tcp to ports 80"))
        .editMetadata()
        .addToAnnotations("policy", "allow")
        .addToAnnotations(
            "kubectl.kubernetes.io/last-applied-configuration",
            "{\"apiVersion\":\"v1\"}".repeat(50))
        .withManagedFields(
            new ManagedFieldsEntryBuilder()
                .withManager("kubectl")
                .withOperation("Apply")
                .withApiVersion("v1")
                .build())
        .endMetadata()
        .build();
  }
}
