package io.calicowebhook.admission;

import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.pod.PolicyAnnotations;
import io.calicowebhook.pod.PolicyVerdict;
import io.calicowebhook.pod.WorkloadKind;
import io.calicowebhook.policy.PolicyError;
import io.calicowebhook.policy.PolicyResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The validating webhook's decision (SPEC sections 2, 6 and 7), free of HTTP and CDI.
 *
 * <p>A Pod, or a workload's pod template, whose effective policy annotation does not parse is
 * denied on CREATE or UPDATE with 422 {@code Invalid} and the errors of the first 20 bad rules, one
 * per line, then how many more there are ({@link AnswerLimits}); in a template each error names the
 * template path. An UPDATE that leaves the effective policy value as it was is allowed even when it
 * does not parse, so that pods and workloads admitted before this webhook stay updatable
 * (finalizers, labels, scaling). The value is compared regardless of key, because the mutating
 * webhook renames the legacy key on that same update. A broken policy is denied in kube-system too,
 * although it would be ignored there (with a warning saying so). Only Pods are announced to the
 * etcd worker; a workload's pods are, once they exist. Everything else is allowed untouched.
 */
final class Validator {
  private final Warnings.Limit limit;

  public Validator() {
    this(Warnings.Limit.DEFAULT);
  }

  Validator(Warnings.Limit limit) {
    this.limit = limit;
  }

  public Validation validate(ReviewRequest request) {
    Optional<WorkloadKind> judged = request.judged();
    if (judged.isEmpty()) {
      return new Validation(AdmissionResponse.allow(request.uid(), List.of()), Optional.empty());
    }
    WorkloadKind kind = judged.get();
    PodObject object = Pods.requireObject(request);
    Optional<PolicyVerdict> check = PolicyVerdict.of(site(kind, request, object));
    if (check.isEmpty()) {
      return allow(request, kind, object, List.of(), 0);
    }
    PolicyVerdict policy = check.get();
    PolicyResult result = policy.result();
    List<String> warnings = new ArrayList<>(policy.warnings());
    if (policy.valid()) {
      return allow(request, kind, object, warnings, result.moreWarnings());
    }
    if (request.isUpdate() && unchanged(kind, request.oldObject(), policy.value())) {
      String name = kind.annotationName(policy.key());
      warnings.add(0, Warnings.unchangedInvalid(name, result.errors(), result.badRules()));
      return allow(request, kind, object, warnings, result.moreWarnings());
    }
    return deny(request, result, warnings);
  }

  /** The pod (template) of the object, where its policy is written. */
  private static PolicyVerdict.Site site(
      WorkloadKind kind, ReviewRequest request, PodObject object) {
    PodObject pod = object.templateAt(kind.templatePath());
    String namespace = Pods.namespace(request, object);
    return pod == null
        ? new PolicyVerdict.Site(kind, Map.of(), namespace, false)
        : new PolicyVerdict.Site(kind, pod.annotations(), namespace, pod.hostNetwork());
  }

  private Validation allow(
      ReviewRequest request,
      WorkloadKind kind,
      PodObject object,
      List<String> warnings,
      int moreWarnings) {
    Optional<PodMeta> accepted =
        kind.isPod() && !request.isDryRun()
            ? Optional.of(Pods.podMeta(request, object))
            : Optional.empty();
    return new Validation(
        AdmissionResponse.allow(request.uid(), limit.apply(warnings, moreWarnings)), accepted);
  }

  private Validation deny(ReviewRequest request, PolicyResult result, List<String> warnings) {
    String message =
        AnswerLimits.denialMessage(
            result.errors().stream().map(PolicyError::message).toList(), result.badRules());
    AdmissionResponse.Status status = new AdmissionResponse.Status(422, "Invalid", message);
    return new Validation(
        AdmissionResponse.deny(request.uid(), status, limit.apply(warnings, result.moreWarnings())),
        Optional.empty());
  }

  /** Whether the pod (template) had the same effective policy value before this update. */
  private static boolean unchanged(WorkloadKind kind, PodObject oldObject, String value) {
    PodObject old = oldObject == null ? null : oldObject.templateAt(kind.templatePath());
    if (old == null) {
      return false;
    }
    Map<String, String> annotations = old.annotations();
    return PolicyAnnotations.effectiveKey(annotations)
        .map(annotations::get)
        .filter(value::equals)
        .isPresent();
  }
}
