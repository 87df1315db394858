package io.calicowebhook.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Optional;

/** The objects one `helm template` rendered, looked up by type. */
record Manifests(List<HasMetadata> objects, String namespace) {

  /** The one object of this type; fails the test when there are none or several. */
  <T extends HasMetadata> T one(Class<T> type) {
    List<T> found = all(type);
    assertEquals(1, found.size(), () -> "expected one " + type.getSimpleName() + ": " + kinds());
    return found.get(0);
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** A custom resource (no typed model here, e.g. cert-manager's), by kind. */
  Optional<GenericKubernetesResource> custom(String kind) {
    return all(GenericKubernetesResource.class).stream()
        .filter(r -> kind.equals(r.getKind()))
        .findFirst();
  }

  /** A custom resource by kind and name. */
  GenericKubernetesResource custom(String kind, String name) {
    return all(GenericKubernetesResource.class).stream()
        .filter(r -> kind.equals(r.getKind()) && name.equals(r.getMetadata().getName()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name + ": " + kinds()));
  }

  /** An annotation of the Deployment's pod template, such as {@code checksum/tls}. */
  String podAnnotation(String name) {
    return one(Deployment.class).getSpec().getTemplate().getMetadata().getAnnotations().get(name);
  }

  List<String> kinds() {
    return objects.stream().map(HasMetadata::getKind).sorted().toList();
  }
}
