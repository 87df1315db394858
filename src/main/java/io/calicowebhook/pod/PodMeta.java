package io.calicowebhook.pod;

import java.util.Map;

/**
 * What the profile of a pod depends on: its identity, labels, annotations and whether it uses the
 * host network. Built from an admission review today and from the Kubernetes API later.
 */
public record PodMeta(
    String namespace,
    String name,
    String uid,
    Map<String, String> labels,
    Map<String, String> annotations,
    boolean hostNetwork) {

  public PodMeta {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
  }

  public PodKey key() {
    return new PodKey(namespace, name);
  }
}
