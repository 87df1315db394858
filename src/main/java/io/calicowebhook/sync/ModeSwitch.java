package io.calicowebhook.sync;

import io.calicowebhook.admission.PodAccepted;
import io.calicowebhook.etcd.EtcdConnection;
import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.profile.ProfileBuilder;
import io.calicowebhook.reconciler.ClusterMode;
import io.calicowebhook.reconciler.KubernetesApi;
import io.calicowebhook.reconciler.ReconcilerSettings;
import io.calicowebhook.store.OwnRevisions;
import io.calicowebhook.store.ProfileStore;
import io.calicowebhook.worker.AdmittedPods;
import io.calicowebhook.worker.FailClosedPods;
import io.calicowebhook.worker.ProblemReports;
import io.calicowebhook.worker.ProfilePlanner;
import io.calicowebhook.worker.ProfileWorker;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Chooses where pod state comes from, once at start-up, and runs the etcd programming accordingly:
 *
 * <ul>
 *   <li>with a Kubernetes API ({@link KubernetesApi}, or {@code calico.reconciler.enabled=true}):
 *       the reconciler ({@link ClusterMode}); admission never feeds the worker, so a forged review
 *       changes nothing in etcd;
 *   <li>without one ({@code make run}, local tests): every pod {@code /validate} accepts is
 *       recorded and its key queued, and nothing else happens on the admission's thread.
 * </ul>
 *
 * <p>On shutdown the worker drains within {@code calico.worker.drain-timeout}.
 */
@Singleton
public class ModeSwitch {
  private static final Logger LOG = Logger.getLogger(ModeSwitch.class);

  private final SyncSettings settings;
  private final ProfilePlanner desired;
  private final ProfileStore store;
  private final EtcdConnection etcd;
  private final OwnRevisions own;
  private final MeterRegistry registry;
  private final FailClosedPods failClosed;
  private final Instance<KubernetesClient> kubernetes;
  private final AdmittedPods admitted = new AdmittedPods();
  private volatile ProfileWorker localWorker;
  private volatile ClusterMode cluster;

  ModeSwitch(
      SyncSettings settings,
      ProfileBuilder builder,
      ProfileStore store,
      EtcdConnection etcd,
      OwnRevisions own,
      MeterRegistry registry,
      Instance<KubernetesClient> kubernetes,
      FailClosedPods failClosed) {
    this.settings = settings;
    this.failClosed = failClosed;
    this.desired = new ProfilePlanner(builder, store.limits());
    this.store = store;
    this.etcd = etcd;
    this.own = own;
    this.registry = registry;
    this.kubernetes = kubernetes;
  }

  void start(@Observes StartupEvent event) {
    Optional<String> api = kubernetesApi();
    if (api.isEmpty()) {
      localWorker =
          new ProfileWorker(
              admitted,
              desired,
              store,
              ProblemReports.logOnly().countingIn(failClosed),
              settings.worker(),
              registry);
      localWorker.start();
      return;
    }
    KubernetesClient client = kubernetes.get();
    ClusterMode.Identity identity = identity(client);
    LOG.infof(
        "reconciler on (%s): etcd follows the pods of the Kubernetes API at %s;"
            + " admission does not feed the worker",
        api.get(), client.getMasterUrl());
    cluster =
        new ClusterMode(
            client,
            settings.etcd(),
            settings.worker(),
            settings.reconciler(),
            identity,
            desired,
            store,
            etcd.client(),
            own,
            registry);
    cluster.countFailClosedIn(failClosed);
    cluster.start();
  }

  /** Why the reconciler runs, or empty when it is off (logged once). */
  private Optional<String> kubernetesApi() {
    Optional<Boolean> enabled = settings.reconciler().enabled();
    if (enabled.isPresent()) {
      if (!enabled.get()) {
        LOG.info(
            "reconciler off (calico.reconciler.enabled=false): admitted pods feed the etcd"
                + " worker directly");
        return Optional.empty();
      }
      return Optional.of("calico.reconciler.enabled=true");
    }
    Optional<String> found =
        KubernetesApi.configured(
            System.getenv(),
            ConfigProvider.getConfig()
                .getOptionalValue("quarkus.kubernetes-client.api-server-url", String.class),
            Path.of(System.getProperty("user.home", "/")));
    if (found.isEmpty()) {
      LOG.info(
          "reconciler off: no Kubernetes API configured (no in-cluster service account, no"
              + " kubeconfig); admitted pods feed the etcd worker directly, and deleted pods keep"
              + " their profiles");
    }
    return found;
  }

  private ClusterMode.Identity identity(KubernetesClient client) {
    ReconcilerSettings.Lease lease = settings.reconciler().lease();
    String namespace =
        lease.namespace().orElse(Optional.ofNullable(client.getNamespace()).orElse("default"));
    String name = lease.identity().orElseGet(ModeSwitch::hostIdentity);
    return new ClusterMode.Identity(namespace, name);
  }

  /** The host name with a random suffix: two processes on one host must not share a lease. */
  private static String hostIdentity() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "calico-policy-webhook";
    }
    byte[] suffix = new byte[3];
    ThreadLocalRandom.current().nextBytes(suffix);
    return host + "-" + HexFormat.of().formatHex(suffix);
  }

  /**
   * Records the accepted pod and queues its key, without a Kubernetes API only; returns at once.
   */
  void onAccepted(@Observes PodAccepted event) {
    PodMeta pod = event.pod();
    ProfileWorker worker = localWorker;
    if (worker == null || pod == null || blank(pod.namespace()) || blank(pod.name())) {
      return; // the reconciler decides, or nothing to name a profile after
    }
    admitted.record(pod);
    worker.submit(pod.key());
  }

  void stop(@Observes ShutdownEvent event) {
    if (localWorker != null) {
      localWorker.drain(settings.worker().drainTimeout());
      localWorker.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Profiles pending or being written by this replica. */
  public int pending() {
    ProfileWorker worker = worker();
    return worker == null ? 0 : worker.pending();
  }

  /** The worker of this replica: the local one, or the cluster's. */
  public ProfileWorker worker() {
    return cluster != null ? cluster.worker() : localWorker;
  }

  /** The cluster machinery, when the reconciler is on. */
  public Optional<ClusterMode> cluster() {
    return Optional.ofNullable(cluster);
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }
}
