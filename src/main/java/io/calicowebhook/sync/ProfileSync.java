package io.calicowebhook.sync;

import io.calicowebhook.admission.PodAccepted;
import io.calicowebhook.config.CalicoConfig;
import io.calicowebhook.etcd.ProfileStore;
import io.calicowebhook.profile.PodMeta;
import io.calicowebhook.profile.ProfileBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * Connects admission to the worker: every accepted pod's state is recorded and its key queued, and
 * nothing else happens on the admission's thread. Starts the worker with the application and drains
 * it, within {@code calico.worker.drain-timeout}, on shutdown.
 */
@Singleton
public class ProfileSync {
  private final AdmittedPods pods = new AdmittedPods();
  private final ProfileWorker worker;
  private final Duration drainTimeout;

  ProfileSync(
      ProfileBuilder builder, ProfileStore store, CalicoConfig config, MeterRegistry registry) {
    this.worker =
        new ProfileWorker(pods, builder, store, WorkerSettings.from(config.worker()), registry);
    this.drainTimeout = config.worker().drainTimeout();
  }

  void start(@Observes StartupEvent event) {
    worker.start();
  }

  /** Records the accepted pod and queues its key; returns at once. */
  void onAccepted(@Observes PodAccepted event) {
    PodMeta pod = event.pod();
    if (pod == null || blank(pod.namespace()) || blank(pod.name())) {
      return; // nothing to name a profile after; admission already answered
    }
    pods.record(pod);
    worker.submit(pod.key());
  }

  void stop(@Observes ShutdownEvent event) {
    worker.drain(drainTimeout);
  }

  /** Profiles pending or being written. */
  public int pending() {
    return worker.pending();
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }
}
