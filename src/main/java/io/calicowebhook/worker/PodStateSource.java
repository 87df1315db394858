package io.calicowebhook.worker;

import io.calicowebhook.pod.PodKey;
import io.calicowebhook.pod.PodMeta;

/**
 * Where the worker reads a pod's current state when it writes the pod's profile: in a cluster the
 * Kubernetes API's view (an informer cache), since the body of an admission request proves nothing;
 * without a Kubernetes API the pods admitted by this replica ({@link AdmittedPods}).
 */
public interface PodStateSource {

  /** What is known of the pod now. */
  PodState state(PodKey key);

  /**
   * Called once {@code state} is programmed in etcd (or needs no profile); a source that only keeps
   * state for the worker may drop it now, unless a newer state arrived meanwhile.
   */
  default void programmed(PodMeta state) {}

  /** Called once the profile of a pod that is {@link PodState.Gone} is deleted (or was absent). */
  default void removed(PodKey key) {}
}
