package io.calicowebhook.reconciler;

import io.calicowebhook.pod.PodKey;
import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.profile.Escaping;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The pods of one resync, found by the profile id each would own without holding an id per pod: a
 * pod is kept by its key, and a stored id is read back into a pod's key ({@link Escaping#podOf},
 * which answers only for the ids that are the escaping of the key it returns). A pod whose
 * namespace or name does not escape to itself (none that Kubernetes accepts, whose names hold no
 * {@code _}) cannot be read back from its id and is kept by its id instead.
 */
final class PodsByProfile {
  private final Map<PodKey, PodMeta> byKey;
  private final Map<String, PodMeta> byId = new HashMap<>();

  PodsByProfile(Collection<PodMeta> pods) {
    byKey = new HashMap<>(pods.size() * 2);
    for (PodMeta pod : pods) {
      if (plain(pod.namespace()) && plain(pod.name())) {
        byKey.put(pod.key(), pod);
      } else {
        byId.put(Escaping.profileId(pod.namespace(), pod.name()), pod);
      }
    }
  }

  /** The pod whose profile id is {@code id}, taken out; null when none is. */
  PodMeta take(String id) {
    Optional<PodKey> key = Escaping.podOf(id);
    PodMeta pod = key.isPresent() ? byKey.remove(key.get()) : null;
    return pod != null || byId.isEmpty() ? pod : byId.remove(id);
  }

  /** Hands every pod not taken to {@code each}. */
  void forEachLeft(Consumer<PodMeta> each) {
    byKey.values().forEach(each);
    byId.values().forEach(each);
  }

  /** Whether {@code text} is its own escaping, so that the id of its pod reads back into it. */
  private static boolean plain(String text) {
    return !text.isEmpty() && Escaping.escape(text).equals(text);
  }
}
