package io.calicowebhook.sync;

import io.calicowebhook.reconciler.ClusterMode;
import io.calicowebhook.reconciler.Leadership;
import io.calicowebhook.reconciler.Reconciler;
import io.calicowebhook.worker.ProfileWorker;
import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * Health of the etcd programming. Readiness depends on it in one bounded case only (admission needs
 * neither the Kubernetes API nor etcd, and an unready webhook blocks or unchecks every pod of the
 * cluster):
 *
 * <ul>
 *   <li>readiness {@code takeover}: DOWN while this replica's pod informer has not finished its
 *       first listing, this replica does not lead, another one does, and less than {@code
 *       calico.reconciler.ready-wait} has passed since the cluster machinery started. A rolling
 *       update (maxUnavailable 0) then stops the old leader only once the new replica holds every
 *       pod, so that the handover leaves no pod created meanwhile unprogrammed until a listing of
 *       the whole cluster ends. The wait is bounded so that a slow or unreachable API server can
 *       never keep the webhook unready; a replica that leads, or one that sees no other leader (a
 *       fresh install, a lost Lease), is never held;
 *   <li>liveness {@code profile-worker}: DOWN once the worker's dispatcher caught an {@link Error}
 *       (say an OutOfMemoryError) or died while it should run, so that Kubernetes restarts the pod;
 *   <li>liveness {@code resync}: DOWN once an {@link Error} ended the reconciler's resyncs;
 *   <li>wellness {@code reconciler} ({@code /q/health/well}, not gating): mode, leader, informer,
 *       last resync.
 * </ul>
 */
class SyncHealthChecks {
  static final String TAKEOVER = "takeover";

  @Produces
  @Readiness
  @ApplicationScoped
  HealthCheck takeover(ModeSwitch sync, SyncSettings settings) {
    Duration readyWait = settings.reconciler().readyWait();
    return () -> takeoverReadiness(sync.cluster().orElse(null), readyWait);
  }

  /**
   * Who leads before the Lease was first read: taken for another replica, so that a probe in the
   * moment between start and that read does not let a rolling update go on with a cold cache.
   */
  static final String UNREAD_LEASE = "a replica not known yet (the Lease is not read yet)";

  /** Whether {@code cluster} may take over now (null: local mode, nothing to take over). */
  static HealthCheckResponse takeoverReadiness(ClusterMode cluster, Duration readyWait) {
    if (cluster == null) {
      return HealthCheckResponse.named(TAKEOVER).up().withData("mode", "local").build();
    }
    Leadership leadership = cluster.leadership();
    return takeoverReadiness(
        cluster.pods().synced(),
        leadership.leading(),
        leadership.leaseRead() ? leadership.leader() : UNREAD_LEASE,
        leadership.identity(),
        cluster.age(),
        readyWait);
  }

  /**
   * DOWN only while all hold: the informer has not finished its first listing, this replica does
   * not lead, another replica does, and {@code waited} (since the cluster machinery started) is
   * less than {@code readyWait}.
   *
   * @param leader the Lease's holder as last seen, null or empty when none is known
   * @param identity this replica's identity in the Lease
   */
  static HealthCheckResponse takeoverReadiness(
      boolean informerSynced,
      boolean leading,
      String leader,
      String identity,
      Duration waited,
      Duration readyWait) {
    HealthCheckResponseBuilder response =
        HealthCheckResponse.named(TAKEOVER)
            .withData("informerSynced", informerSynced)
            .withData("leader", String.valueOf(leader));
    boolean held =
        !informerSynced
            && !leading
            && anotherLeads(leader, identity)
            && waited.compareTo(readyWait) < 0;
    if (!held) {
      return response.up().build();
    }
    return response
        .down()
        .withData(
            "reason",
            "this replica's pod informer has not finished listing the cluster's pods while "
                + leader
                + " leads: unready so that a rolling update keeps the leader until this replica"
                + " can take over with every pod, for at most calico.reconciler.ready-wait ("
                + readyWait.toSeconds()
                + "s, "
                + waited.toSeconds()
                + "s passed)")
        .build();
  }

  private static boolean anotherLeads(String leader, String identity) {
    return leader != null && !leader.isEmpty() && !leader.equals(identity);
  }

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
