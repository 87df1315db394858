package io.calicowebhook.reconciler;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.Map;
import java.util.UUID;

/** Pods as a user would create them, with a fresh uid each (the API server assigns one). */
final class TestPods {
  private TestPods() {}

  static Pod pod(String namespace, String name, Map<String, String> labels, String policy) {
    PodBuilder pod =
        new PodBuilder()
            .withNewMetadata()
            .withNamespace(namespace)
            .withName(name)
            .withUid(UUID.randomUUID().toString())
            .withLabels(labels)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .withImage("registry.example.com/app:1.0")
            .endContainer()
            .endSpec();
    if (policy != null) {
      pod.editMetadata().addToAnnotations("projectcalico.org/policy", policy).endMetadata();
    }
    return pod.build();
  }

  static Pod pod(String namespace, String name) {
    return pod(namespace, name, Map.of("app", name), null);
  }

  static Pod hostNetwork(String namespace, String name) {
    return new PodBuilder(pod(namespace, name)).editSpec().withHostNetwork(true).endSpec().build();
  }
}
