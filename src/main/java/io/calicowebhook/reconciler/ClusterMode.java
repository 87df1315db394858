package io.calicowebhook.reconciler;

import io.calicowebhook.etcd.EtcdSettings;
import io.calicowebhook.store.DriftWatch;
import io.calicowebhook.store.OwnRevisions;
import io.calicowebhook.store.ProfileScan;
import io.calicowebhook.store.ProfileStore;
import io.calicowebhook.worker.FailClosedPods;
import io.calicowebhook.worker.ProblemReports;
import io.calicowebhook.worker.ProfilePlanner;
import io.calicowebhook.worker.ProfileWorker;
import io.calicowebhook.worker.WorkerSettings;
import io.etcd.jetcd.Client;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;

/**
 * The service's etcd programming in a cluster: the pod informer is the only source of pod state,
 * the Lease elects the one replica whose worker writes, and that replica's reconciler resyncs and
 * watches etcd. Every replica keeps its informer running, so a new leader starts with a warm cache.
 */
public final class ClusterMode implements AutoCloseable {
  static final String COMPONENT = "calico-policy-webhook";

  private final PodCache pods;
  private final PodEvents events;
  private final ProfileWorker worker;
  private final Reconciler reconciler;
  private final Leadership leadership;
  private final Duration drainTimeout;
  private final ProblemReports problems;
  private final Resync resync;
  private final long createdNanos = System.nanoTime();

  /** Where the cluster's Lease lives and who this replica is in it. */
  public record Identity(String leaseNamespace, String name) {}

  /**
   * Wires everything up; {@link #start} starts it.
   *
   * @param desired what each pod should have in etcd
   * @param etcd the etcd client the resync reads and the watch watches with
   */
  public ClusterMode(
      KubernetesClient client,
      EtcdSettings etcdSettings,
      WorkerSettings workerSettings,
      ReconcilerSettings reconcile,
      Identity identity,
      ProfilePlanner desired,
      ProfileStore store,
      Client etcd,
      OwnRevisions own,
      MeterRegistry registry) {
    this.drainTimeout = workerSettings.drainTimeout();
    this.pods = new PodCache(client, reconcile.listPageSize(), reconcile.watchStaleAfter());
    this.events = new PodEvents(client, COMPONENT, identity.name(), registry);
    this.problems = new ProblemReports(events);
    this.worker = new ProfileWorker(pods, desired, store, problems, workerSettings, registry);
    ProfileScan scan =
        new ProfileScan(
            etcd.getKVClient(), etcdSettings.readPageSize(), etcdSettings.requestTimeout());
    this.resync =
        new Resync(
            desired,
            scan,
            reconcile.maxDeleteShare(),
            message ->
                events.warnOwnPod(identity.leaseNamespace(), "CalicoProfileDeletesHeld", message));
    io.micrometer.core.instrument.Gauge.builder("calico.resync.deletes.held", resync, Resync::held)
        .description("Profile deletes the last resync held because they were too many at once")
        .register(registry);
    this.reconciler =
        new Reconciler(
            pods,
            worker,
            resync,
            (from, onDrift, onBroken) ->
                DriftWatch.start(
                    etcd.getWatchClient(),
                    own,
                    from,
                    id -> {
                      store.known().forget(id);
                      onDrift.accept(id);
                    },
                    onBroken),
            () -> store.takeTerm(identity.name()),
            reconcile.resyncPeriod());
    this.leadership =
        new Leadership(
            client,
            reconcile.lease(),
            identity.leaseNamespace(),
            identity.name(),
            reconciler::startLeading,
            reconciler::stopLeading);
    reconciler.onDeposed(leadership::relinquish);
  }

  /**
   * Counts fail-closed pods in {@code pods}: every resync's picture, and the worker's writes in
   * between. Call before {@link #start}.
   */
  public void countFailClosedIn(FailClosedPods pods) {
    problems.countingIn(pods);
    resync.onFailClosed(pods::replaceWith);
  }

  /** Starts the informer and stands for the lease; returns at once. */
  public void start() {
    pods.start(); // completes in the background; the reconciler waits for the first listing
    leadership.start();
  }

  /** How long ago this was created (just before {@link #start}), on the monotonic clock. */
  public Duration age() {
    return Duration.ofNanos(System.nanoTime() - createdNanos);
  }

  /** The pod cache (every replica keeps one). */
  public PodCache pods() {
    return pods;
  }

  /** The worker (it runs only while this replica leads). */
  public ProfileWorker worker() {
    return worker;
  }

  /** The reconciler. */
  public Reconciler reconciler() {
    return reconciler;
  }

  /** The leader election. */
  public Leadership leadership() {
    return leadership;
  }

  /**
   * Shuts down: as leader, first writes what is pending (up to the drain timeout), then gives the
   * lease up so that another replica takes over at once.
   */
  @Override
  public void close() {
    if (leadership.leading()) {
      worker.drain(drainTimeout);
    }
    leadership.close();
    reconciler.close();
    worker.close();
    pods.close();
    events.close();
  }
}
