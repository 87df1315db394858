package io.calicowebhook.sync;

import io.calicowebhook.reconciler.ClusterMode;
import io.calicowebhook.reconciler.Leadership;
import io.calicowebhook.reconciler.Reconciler;
import io.calicowebhook.worker.ProfileWorker;
import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

/**
 * Health of the etcd programming. Readiness never depends on it (admission needs neither the
 * Kubernetes API nor etcd, and an unready webhook blocks or unchecks every pod of the cluster):
 *
 * <ul>
 *   <li>liveness {@code profile-worker}: DOWN once the worker's dispatcher caught an {@link Error}
 *       (say an OutOfMemoryError) or died while it should run, so that Kubernetes restarts the pod;
 *   <li>liveness {@code resync}: DOWN once an {@link Error} ended the reconciler's resyncs;
 *   <li>wellness {@code reconciler} ({@code /q/health/well}, not gating): mode, leader, informer,
 *       last resync.
 * </ul>
 */
class SyncHealthChecks {

  @Produces
  @Liveness
  @ApplicationScoped
  HealthCheck worker(ModeSwitch sync) {
    return () -> {
      HealthCheckResponseBuilder response = HealthCheckResponse.named("profile-worker");
      ProfileWorker worker = sync.worker();
      if (worker == null) {
        return response.up().withData("running", false).build();
      }
      response.withData("running", worker.running()).withData("pending", worker.pending());
      if (worker.fatalError().isPresent()) {
        return response.down().withData("error", String.valueOf(worker.fatalError().get())).build();
      }
      if (!worker.dispatcherAlive()) {
        return response.down().withData("error", "dispatcher thread died").build();
      }
      return response.up().build();
    };
  }

  @Produces
  @Liveness
  @ApplicationScoped
  HealthCheck resync(ModeSwitch sync) {
    return () -> resyncLiveness(sync.cluster().map(ClusterMode::reconciler).orElse(null));
  }

  /** UP unless an {@link Error} ended the resyncs of {@code reconciler} (null: none runs). */
  static HealthCheckResponse resyncLiveness(Reconciler reconciler) {
    HealthCheckResponseBuilder response = HealthCheckResponse.named("resync");
    if (reconciler == null) {
      return response.up().withData("running", false).build();
    }
    if (reconciler.fatalError().isPresent()) {
      return response
          .down()
          .withData("error", String.valueOf(reconciler.fatalError().get()))
          .build();
    }
    return response.up().withData("resyncs", reconciler.resyncCount()).build();
  }

  @Produces
  @Wellness
  @ApplicationScoped
  HealthCheck reconciler(ModeSwitch sync) {
    return () -> {
      HealthCheckResponseBuilder response = HealthCheckResponse.named("reconciler");
      if (sync.cluster().isEmpty()) {
        return response.up().withData("mode", "local (admission feeds the worker)").build();
      }
      ClusterMode cluster = sync.cluster().get();
      Leadership leadership = cluster.leadership();
      Reconciler reconciler = cluster.reconciler();
      response
          .withData("mode", "cluster")
          .withData("identity", leadership.identity())
          .withData("leading", leadership.leading())
          .withData("leader", String.valueOf(leadership.leader()))
          .withData("podsCached", cluster.pods().size())
          .withData("informerSynced", cluster.pods().synced())
          .withData("informerWatching", cluster.pods().watching());
      reconciler.lastResync().ifPresent(report -> response.withData("lastResync", report.line()));
      reconciler.lastError().ifPresent(error -> response.withData("lastResyncError", error));
      boolean healthy =
          cluster.pods().synced() && (!leadership.leading() || reconciler.lastError().isEmpty());
      return (healthy ? response.up() : response.down()).build();
    };
  }
}
