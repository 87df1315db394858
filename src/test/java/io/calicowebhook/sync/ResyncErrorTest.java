package io.calicowebhook.sync;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calicowebhook.etcd.EtcdExtension;
import io.calicowebhook.etcd.TxnLimits;
import io.calicowebhook.profile.DefaultPolicy;
import io.calicowebhook.profile.ProfileBuilder;
import io.calicowebhook.reconciler.PodCache;
import io.calicowebhook.reconciler.Reconciler;
import io.calicowebhook.reconciler.Resync;
import io.calicowebhook.store.DriftWatch;
import io.calicowebhook.store.OwnRevisions;
import io.calicowebhook.store.ProfileScan;
import io.calicowebhook.store.ProfileStore;
import io.calicowebhook.worker.ProblemReports;
import io.calicowebhook.worker.ProfilePlanner;
import io.calicowebhook.worker.ProfileWorker;
import io.calicowebhook.worker.WorkerSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An {@link Error} on the reconciler's thread (here in the step of a resync that restarts the etcd
 * watch) ends the resyncs: the liveness check {@code resync} says so, DOWN, instead of the resyncs
 * ending quietly. Real etcd, a Kubernetes mock server.
 */
@EnableKubernetesMockClient(crud = true)
class ResyncErrorTest {
  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  static KubernetesMockServer server;
  static KubernetesClient client;

  private PodCache pods;
  private ProfileWorker worker;
  private Reconciler reconciler;

  @AfterEach
  void close() {
    reconciler.close();
    worker.close();
    pods.close();
  }

  @Test
  void anErrorInAResyncTurnsLivenessDown() {
    AtomicInteger watches = new AtomicInteger();
    start(
        (from, onDrift, onBroken) -> {
          watches.incrementAndGet();
          throw new StackOverflowError("restarting the watch");
        });
    assertEquals(
        HealthCheckResponse.Status.UP, SyncHealthChecks.resyncLiveness(reconciler).getStatus());

    reconciler.startLeading();

    await().atMost(Duration.ofSeconds(30)).until(() -> reconciler.fatalError().isPresent());
    HealthCheckResponse liveness = SyncHealthChecks.resyncLiveness(reconciler);
    assertEquals(HealthCheckResponse.Status.DOWN, liveness.getStatus());
    assertTrue(
        liveness.getData().orElseThrow().get("error").toString().contains("StackOverflowError"),
        liveness.getData().toString());
    assertEquals(1, watches.get());
  }

  @Test
  void aHealthyResyncKeepsLivenessUp() {
    start(
        (from, onDrift, onBroken) ->
            DriftWatch.start(
                ETCD.client().getWatchClient(), new OwnRevisions(), from, onDrift, onBroken));

    reconciler.startLeading();

    await().atMost(Duration.ofSeconds(30)).until(() -> reconciler.resyncCount() == 1);
    assertEquals(
        HealthCheckResponse.Status.UP, SyncHealthChecks.resyncLiveness(reconciler).getStatus());
  }

  private void start(Reconciler.WatchStarter watches) {
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    TxnLimits limits = new TxnLimits(128, 1_400_000);
    ProfileStore store =
        new ProfileStore(
            ETCD.client().getKVClient(),
            limits,
            Duration.ofSeconds(5),
            metrics,
            new OwnRevisions());
    ProfilePlanner desired =
        new ProfilePlanner(new ProfileBuilder(DefaultPolicy.NS_ISOLATION), limits);
    pods = new PodCache(client, 100, Duration.ofMinutes(3));
    worker =
        new ProfileWorker(
            pods,
            desired,
            store,
            ProblemReports.logOnly(),
            new WorkerSettings(
                2, Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofSeconds(5)),
            metrics);
    reconciler =
        new Reconciler(
            pods,
            worker,
            new Resync(
                desired, new ProfileScan(ETCD.client().getKVClient(), 100, Duration.ofSeconds(5))),
            watches,
            () -> store.takeTerm("resync-error-test"),
            Duration.ofMinutes(10));
    pods.start();
  }
}
