package io.calicowebhook.pod;

import io.calicowebhook.policy.PolicyParser;
import io.calicowebhook.policy.PolicyResult;
import io.calicowebhook.policy.PolicyWarning;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The policy of one Pod or pod template, judged the same wherever it is written (SPEC sections 2, 3
 * and 7): the annotation in effect, what the parser says of it (every message naming where the
 * policy is), and remarks about where it is written: the legacy key in use or shadowed, a policy
 * ignored in kube-system or on the host network. Pure; shared by admission and the offline linter.
 *
 * @param key the annotation key in effect ({@code projectcalico.org/policy}, else {@code policy})
 * @param value its value
 * @param result the parser's rules, errors and warnings
 * @param remarks warnings about where the policy is written, before the parser's own
 */
public record PolicyVerdict(String key, String value, PolicyResult result, List<Remark> remarks) {

  public PolicyVerdict {
    remarks = List.copyOf(remarks);
  }

  /**
   * A pod (template) to judge.
   *
   * @param kind what holds it, which decides how messages name the annotation
   * @param annotations the pod (template)'s annotations
   * @param namespace the object's namespace, or null when unknown
   * @param hostNetwork whether the pod (template) has {@code spec.hostNetwork: true}
   */
  public record Site(
      WorkloadKind kind, Map<String, String> annotations, String namespace, boolean hostNetwork) {}

  /**
   * A warning about where the policy is written rather than what it says.
   *
   * @param key the annotation it is about (the legacy key for the legacy-key remarks)
   * @param message the text shown to the user
   */
  public record Remark(String key, String message) {}

  /** The check of the site's policy; empty when it has no policy annotation. */
  public static Optional<PolicyVerdict> of(Site site) {
    Optional<String> key = PolicyAnnotations.effectiveKey(site.annotations());
    if (key.isEmpty()) {
      return Optional.empty();
    }
    String value = site.annotations().get(key.get());
    PolicyResult result = PolicyParser.parse(site.kind().annotationName(key.get()), value);
    return Optional.of(new PolicyVerdict(key.get(), value, result, remarks(site, key.get())));
  }

  public boolean valid() {
    return result.valid();
  }

  /** The texts of every warning: the remarks, then the parser's warnings. */
  public List<String> warnings() {
    List<String> warnings = new ArrayList<>();
    remarks.stream().map(Remark::message).forEach(warnings::add);
    result.warnings().stream().map(PolicyWarning::message).forEach(warnings::add);
    return warnings;
  }

  private static List<Remark> remarks(Site site, String key) {
    WorkloadKind kind = site.kind();
    List<Remark> remarks = new ArrayList<>();
    if (site.annotations().containsKey(PolicyAnnotations.LEGACY_KEY)) {
      remarks.add(
          new Remark(
              PolicyAnnotations.LEGACY_KEY,
              key.equals(PolicyAnnotations.LEGACY_KEY)
                  ? legacyKey(kind)
                  : legacyKeyShadowed(kind)));
    }
    if (PolicyAnnotations.KUBE_SYSTEM.equals(site.namespace())) {
      remarks.add(new Remark(key, kubeSystem(kind.annotationName(key))));
    }
    if (site.hostNetwork()) {
      remarks.add(new Remark(key, hostNetwork(kind, key)));
    }
    return remarks;
  }

  private static String legacyKey(WorkloadKind kind) {
    return "annotation "
        + kind.quotedAnnotation(PolicyAnnotations.LEGACY_KEY)
        + " is the legacy key of Calico before 0.2.0; it still applies,"
        + " but rename it to "
        + quoted(PolicyAnnotations.KEY);
  }

  private static String legacyKeyShadowed(WorkloadKind kind) {
    return "annotation "
        + kind.quotedAnnotation(PolicyAnnotations.LEGACY_KEY)
        + " is ignored: "
        + quoted(PolicyAnnotations.KEY)
        + " is also set and takes precedence; remove "
        + quoted(PolicyAnnotations.LEGACY_KEY);
  }

  private static String kubeSystem(String name) {
    return name + " is ignored in namespace kube-system: its pods accept all traffic";
  }

  private static String hostNetwork(WorkloadKind kind, String key) {
    return kind.annotationName(key)
        + " has no effect: "
        + (kind.isPod() ? "the pod uses" : "its pods use")
        + " the host network ("
        + kind.field("spec.hostNetwork")
        + ": true), which Calico does not police";
  }

  private static String quoted(String key) {
    return '"' + key + '"';
  }
}
