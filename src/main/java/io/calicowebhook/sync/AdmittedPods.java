package io.calicowebhook.sync;

import io.calicowebhook.profile.PodKey;
import io.calicowebhook.profile.PodMeta;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest admitted state of each pod whose profile is not written yet. A state is dropped once
 * programmed, unless a newer one replaced it, so memory holds only the pods still pending.
 */
public final class AdmittedPods implements PodStateSource {
  private final Map<PodKey, PodMeta> pods = new ConcurrentHashMap<>();

  /** Keeps {@code pod} as its key's latest state; returns at once. */
  public void record(PodMeta pod) {
    pods.put(pod.key(), pod);
  }

  @Override
  public Optional<PodMeta> get(PodKey key) {
    return Optional.ofNullable(pods.get(key));
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
