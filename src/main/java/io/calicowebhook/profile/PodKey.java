package io.calicowebhook.profile;

import java.util.Optional;

/** A pod's namespace and name; the profile id derives from it. */
public record PodKey(String namespace, String name) {

  /**
   * The pod whose profile id is {@code id}, when {@code id} is one: the inverse of {@link
   * Escaping#profileId}. Kubernetes namespaces and pod names never contain {@code _}, so the first
   * {@code _} of an id separates the two; an id that does not round-trip names no pod.
   */
  public static Optional<PodKey> ofProfileId(String id) {
    int separator = id.indexOf('_');
    if (separator <= 0 || separator == id.length() - 1) {
      return Optional.empty();
    }
    PodKey key = new PodKey(id.substring(0, separator), id.substring(separator + 1));
    return Escaping.profileId(key.namespace, key.name).equals(id)
        ? Optional.of(key)
        : Optional.empty();
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
