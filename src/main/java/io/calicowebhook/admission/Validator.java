package io.calicowebhook.admission;

import io.calicowebhook.policy.PolicyError;
import io.calicowebhook.policy.PolicyParser;
import io.calicowebhook.policy.PolicyResult;
import io.calicowebhook.policy.PolicyWarning;
import io.calicowebhook.profile.PodMeta;
import io.calicowebhook.profile.PolicyAnnotations;
import io.calicowebhook.profile.ProfileBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The validating webhook's decision (SPEC sections 2 and 6), free of HTTP and CDI.
 *
 * <p>A Pod CREATE or UPDATE whose effective policy annotation does not parse is denied with 422
 * {@code Invalid} and the errors of the first 20 bad rules, one per line, then how many more there
 * are ({@link AnswerLimits}). An UPDATE that leaves the effective policy value as it was is allowed
 * even when it does not parse, so that pods admitted before this webhook stay updatable
 * (finalizers, labels). The value is compared regardless of key, because the mutating webhook
 * renames the legacy key on that same update. A broken policy is denied in kube-system too,
 * although it would be ignored there (with a warning saying so). Everything else is allowed
 * untouched.
 */
public final class Validator {
  private final Warnings.Limit limit;

  public Validator() {
    this(Warnings.Limit.DEFAULT);
  }

  Validator(Warnings.Limit limit) {
    this.limit = limit;
  }

  public Validation validate(ReviewRequest request) {
    if (!request.judgesPod()) {
      return new Validation(AdmissionResponse.allow(request.uid(), List.of()), Optional.empty());
    }
    PodObject pod = Pods.requireObject(request);
    Map<String, String> annotations = pod.annotations();
    Optional<String> key = PolicyAnnotations.effectiveKey(annotations);
    if (key.isEmpty()) {
      return allow(request, pod, List.of(), 0);
    }
    String value = annotations.get(key.get());
    List<String> warnings = contextWarnings(annotations, key.get(), request, pod);
    PolicyResult result = PolicyParser.parse(key.get(), value);
    result.warnings().stream().map(PolicyWarning::message).forEach(warnings::add);
    if (result.valid()) {
      return allow(request, pod, warnings, result.moreWarnings());
    }
    if (request.isUpdate() && unchanged(request.oldObject(), value)) {
      warnings.add(0, Warnings.unchangedInvalid(key.get(), result.errors(), result.badRules()));
      return allow(request, pod, warnings, result.moreWarnings());
    }
    return deny(request, result, warnings);
  }

  private Validation allow(
      ReviewRequest request, PodObject pod, List<String> warnings, int moreWarnings) {
    Optional<PodMeta> accepted =
        request.isDryRun() ? Optional.empty() : Optional.of(Pods.podMeta(request, pod));
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

  /** Warnings about where the policy sits, before the parser's own. */
  private static List<String> contextWarnings(
      Map<String, String> annotations, String key, ReviewRequest request, PodObject pod) {
    List<String> warnings = new ArrayList<>();
    if (annotations.containsKey(PolicyAnnotations.LEGACY_KEY)) {
      warnings.add(
          key.equals(PolicyAnnotations.LEGACY_KEY)
              ? Warnings.legacyKey()
              : Warnings.legacyKeyShadowed());
    }
    if (ProfileBuilder.KUBE_SYSTEM.equals(Pods.namespace(request, pod))) {
      warnings.add(Warnings.kubeSystem(key));
    }
    if (pod.hostNetwork()) {
      warnings.add(Warnings.hostNetwork(key));
    }
    return warnings;
  }

  /** Whether the pod had the same effective policy value before this update. */
  private static boolean unchanged(PodObject oldObject, String value) {
    if (oldObject == null) {
      return false;
    }
    Map<String, String> old = oldObject.annotations();
    return PolicyAnnotations.effectiveKey(old).map(old::get).filter(value::equals).isPresent();
  }
}
