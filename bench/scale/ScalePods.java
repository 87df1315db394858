import io.calicowebhook.pod.PodMeta;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * The pods of a cluster at Kubernetes' documented limit, as {@code bench/scale} spreads them: 1,000
 * namespaces of 8 Deployments, the reconciler bench's pods (8 labels, managedFields, a
 * last-applied-configuration, about 6.6 KiB of JSON each), a policy on a quarter of them (2
 * Deployments of 8), and one pod in 500 with a broken policy (a port out of range), which gets the
 * fail-closed profile and an Event.
 */
final class ScalePods {
  static final int NAMESPACES = 1000;
  static final int DEPLOYMENTS = 8;
  static final String BROKEN = "allow tcp from label app=frontend to ports 8080,99999";

  private final PodFactory factory =
      new PodFactory(
          new PodFactory.Layout(NAMESPACES, "team-%03d", DEPLOYMENTS, ScalePods::policy, true));

  /** Pod {@code i}'s JSON, as the API server stores it. */
  String json(int i, long resourceVersion) {
    return factory.json(i, resourceVersion);
  }

  /** Pod {@code i} as the service keeps it. */
  PodMeta meta(int i) {
    return PodFactory.meta(Serialization.unmarshal(json(i, 1), GenericKubernetesResource.class));
  }

  /** Whether pod {@code i}'s policy is broken. */
  static boolean broken(int i) {
    return i % 500 == 7;
  }

  private static String policy(int i, int deployment) {
    if (broken(i)) {
      return BROKEN;
    }
    if (deployment % 4 != 0) {
      return null;
    }
    return PodFactory.POLICIES[2 + (i / NAMESPACES / DEPLOYMENTS) % 3];
  }
}
