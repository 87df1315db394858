package io.calicowebhook.sync;

import io.calicowebhook.profile.PodKey;
import io.calicowebhook.profile.PodMeta;
import java.util.Optional;

/**
 * Where the worker reads a pod's current state when it writes the pod's profile. Today the pods
 * admitted by this replica ({@link AdmittedPods}); next an informer cache of the Kubernetes API,
 * since the body of an admission request proves nothing.
 */
public interface PodStateSource {

  /** The pod's latest known state; empty when none is known (nothing to write). */
  Optional<PodMeta> get(PodKey key);

  /**
   * Called once {@code state} is programmed in etcd (or needs no profile); a source that only keeps
   * state for the worker may drop it now, unless a newer state arrived meanwhile.
   */
  default void programmed(PodMeta state) {}
}
