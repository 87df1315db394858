package io.calicowebhook.worker;

import io.calicowebhook.pod.PodKey;
import io.calicowebhook.pod.PodMeta;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest admitted state of each pod whose profile is not written yet, the pod state of a run
 * without a Kubernetes API. A state is dropped once programmed, unless a newer one replaced it, so
 * memory holds only the pods still pending. It never says a pod is gone: admission does not see
 * deletions.
 */
public final class AdmittedPods implements PodStateSource {
  private final Map<PodKey, PodMeta> pods = new ConcurrentHashMap<>();

  /** Keeps {@code pod} as its key's latest state; returns at once. */
  public void record(PodMeta pod) {
    pods.put(pod.key(), pod);
  }

  @Override
  public PodState state(PodKey key) {
    PodMeta pod = pods.get(key);
    return pod == null ? PodState.UNKNOWN : new PodState.Present(pod);
  }

  @Override
  public void programmed(PodMeta state) {
    pods.remove(state.key(), state);
  }

  /** How many pods have a state kept. */
  public int size() {
    return pods.size();
  }
}
