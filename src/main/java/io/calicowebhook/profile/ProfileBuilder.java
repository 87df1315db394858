package io.calicowebhook.profile;

import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.pod.PolicyAnnotations;
import io.calicowebhook.policy.PolicyParser;
import io.calicowebhook.policy.PolicyResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Turns pod metadata into its profile (SPEC section 3). Pure: no I/O. */
public final class ProfileBuilder {
  private final DefaultPolicy defaultPolicy;

  public ProfileBuilder(DefaultPolicy defaultPolicy) {
    this.defaultPolicy = defaultPolicy;
  }

  /**
   * The pod's profile, or empty for a host-network pod (Calico does not wire those). A pod in
   * kube-system gets allow-all inbound whatever its annotation says, so its annotation is not read.
   *
   * @throws InvalidPolicyException when the pod's policy annotation does not parse
   */
  public Optional<Profile> build(PodMeta pod) {
    if (pod.hostNetwork()) {
      return Optional.empty();
    }
    String namespace = pod.namespace();
    return Optional.of(
        new Profile(
            Escaping.profileId(namespace, pod.name()),
            tags(namespace, pod.labels()),
            inboundRules(pod),
            List.of(FelixRule.allowAll())));
  }

  /**
   * The profile of a pod whose policy cannot be programmed (it does not parse, or its profile is
   * too large for etcd): no inbound rules, so all inbound traffic is dropped, never more allowed
   * than the policy meant. {@code labelTags} false leaves out the label tags too (only the
   * namespace tag stays) for a pod whose labels alone are too large.
   */
  public Profile failClosed(PodMeta pod, boolean labelTags) {
    String namespace = pod.namespace();
    List<String> tags =
        labelTags ? tags(namespace, pod.labels()) : List.of(Escaping.namespaceTag(namespace));
    return new Profile(
        Escaping.profileId(namespace, pod.name()), tags, List.of(), List.of(FelixRule.allowAll()));
  }

  /**
   * The namespace tag and one tag per label. Not the profile id, as the original plugin did: in
   * namespace {@code namespace} the pod {@code production} would get the id tag {@code
   * namespace_production}, the namespace tag of namespace {@code production}, and so pass that
   * namespace's default isolation (SPEC section 3).
   */
  static List<String> tags(String namespace, Map<String, String> labels) {
    List<String> tags = new ArrayList<>();
    tags.add(Escaping.namespaceTag(namespace));
    labels.forEach((key, value) -> tags.add(Escaping.labelTag(namespace, key, value)));
    return tags;
  }

  private List<FelixRule> inboundRules(PodMeta pod) {
    if (PolicyAnnotations.KUBE_SYSTEM.equals(pod.namespace())) {
      return List.of(FelixRule.allowAll());
    }
    Optional<String> key = PolicyAnnotations.effectiveKey(pod.annotations());
    if (key.isEmpty()) {
      return defaultRules(pod.namespace());
    }
    PolicyResult result = PolicyParser.parse(key.get(), pod.annotations().get(key.get()));
    if (!result.valid()) {
      throw new InvalidPolicyException(result.errors());
    }
    return result.rules().stream().map(rule -> FelixRule.of(rule, pod.namespace())).toList();
  }

  /** The inbound rules of a pod without a policy annotation. */
  List<FelixRule> defaultRules(String namespace) {
    if (defaultPolicy == DefaultPolicy.ALLOW) {
      return List.of(FelixRule.allowAll());
    }
    return List.of(FelixRule.allowFromTag(Escaping.namespaceTag(namespace)));
  }
}
