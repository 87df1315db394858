package io.calicowebhook.lint;

import io.calicowebhook.policy.PolicyError;
import io.calicowebhook.policy.PolicyWarning;
import io.calicowebhook.workload.PolicyCheck;
import io.calicowebhook.workload.WorkloadKind;
import java.util.function.Consumer;

/**
 * Turns what {@link PolicyCheck} says of one pod (template) into {@link Problem}s placed in the
 * input: an error or warning of the policy at the character its column names, a remark about where
 * the policy is written at the start of the annotation's value.
 */
final class Findings {
  private final Source source;
  private final WorkloadKind kind;
  private final String object;
  private final Value.Mapping annotations;
  private final Consumer<Problem> out;

  Findings(
      Source source,
      WorkloadKind kind,
      String object,
      Value.Mapping annotations,
      Consumer<Problem> out) {
    this.source = source;
    this.kind = kind;
    this.object = object;
    this.annotations = annotations;
    this.out = out;
  }

  void report(PolicyCheck check) {
    for (PolicyCheck.Remark remark : check.remarks()) {
      Position at = start(remark.key());
      out.accept(problem(at, Problem.Severity.WARNING, remark.key(), null, remark.message()));
    }
    ScalarMap value = ScalarMap.of(source, (Value.Scalar) annotations.get(check.key()));
    for (PolicyError e : check.result().errors()) {
      inPolicy(value, check.key(), Problem.Severity.ERROR, e.rule(), e.column(), e.message());
    }
    for (PolicyWarning w : check.result().warnings()) {
      inPolicy(value, check.key(), Problem.Severity.WARNING, w.rule(), w.column(), w.message());
    }
  }

  /** An error or warning of the parser, at the character its column names. */
  private void inPolicy(
      ScalarMap value, String key, Problem.Severity severity, int rule, int column, String text) {
    Problem.RuleColumn where = new Problem.RuleColumn(rule, column);
    out.accept(problem(value.at(column), severity, key, where, text));
  }

  /** A policy annotation kubectl would refuse before any webhook sees it. */
  void notAString(String key) {
    out.accept(
        problem(
            start(key),
            Problem.Severity.ERROR,
            key,
            null,
            kind.annotationName(key) + ": expected a string (quote the value)"));
  }

  private Problem problem(
      Position at, Problem.Severity severity, String key, Problem.RuleColumn rule, String text) {
    return new Problem(at, severity, object, kind.annotationName(key), rule, text);
  }

  private Position start(String key) {
    return source.position(annotations.get(key).start());
  }
}
