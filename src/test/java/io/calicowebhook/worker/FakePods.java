package io.calicowebhook.worker;

import io.calicowebhook.pod.PodKey;
import io.calicowebhook.pod.PodMeta;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A pod state source the test sets by hand: present, gone, or (by default) not known. */
final class FakePods implements PodStateSource {
  private final Map<PodKey, PodState> states = new ConcurrentHashMap<>();
  private final Map<PodKey, Error> failures = new ConcurrentHashMap<>();

  void present(PodMeta pod) {
    states.put(pod.key(), new PodState.Present(pod));
  }

  void gone(PodKey key) {
    states.put(key, PodState.GONE);
  }

  /** Reading {@code key} throws {@code error} once. */
  void failing(PodKey key, Error error) {
    failures.put(key, error);
  }

  @Override
  public PodState state(PodKey key) {
    Error error = failures.remove(key);
    if (error != null) {
      throw error;
    }
    return states.getOrDefault(key, PodState.UNKNOWN);
  }
}
