package io.calicowebhook.lint;

import io.calicowebhook.pod.PolicyVerdict;
import io.calicowebhook.pod.WorkloadKind;
import io.calicowebhook.policy.PolicyError;
import io.calicowebhook.policy.PolicyResult;
import io.calicowebhook.policy.PolicyWarning;
import java.util.function.Consumer;

/**
 * Turns what {@link PolicyVerdict} says of one pod (template) into {@link Problem}s placed in the
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

  /**
   * Reports the remarks, the kept errors and warnings of the parser ({@link
   * io.calicowebhook.policy.PolicyParser#MAX_KEPT} of each at most), and for each a last line
   * {@code ... and N more bad rules} or {@code ... and N more warnings} when the parser only
   * counted the rest, placed at the last one shown.
   */
  void report(PolicyVerdict check) {
    for (PolicyVerdict.Remark remark : check.remarks()) {
      Position at = start(remark.key());
      out.accept(problem(at, Problem.Severity.WARNING, remark.key(), null, remark.message(), 0));
    }
    ScalarMap value = ScalarMap.of(source, (Value.Scalar) annotations.get(check.key()));
    PolicyResult result = check.result();
    Position lastError = start(check.key());
    for (PolicyError e : result.errors()) {
      lastError =
          inPolicy(value, check.key(), Problem.Severity.ERROR, e.rule(), e.column(), e.message());
    }
    more(lastError, check.key(), Problem.Severity.ERROR, result.moreBadRules(), "bad rules");
    Position lastWarning = start(check.key());
    for (PolicyWarning w : result.warnings()) {
      lastWarning =
          inPolicy(value, check.key(), Problem.Severity.WARNING, w.rule(), w.column(), w.message());
    }
    more(lastWarning, check.key(), Problem.Severity.WARNING, result.moreWarnings(), "warnings");
  }

  /** An error or warning of the parser, at the character its column names; returns where. */
  private Position inPolicy(
      ScalarMap value, String key, Problem.Severity severity, int rule, int column, String text) {
    Problem.RuleColumn where = new Problem.RuleColumn(rule, column);
    Position at = value.at(column);
    out.accept(problem(at, severity, key, where, text, 0));
    return at;
  }

  /** {@code ANNOTATION: ... and N more WHAT} after the last shown, when the parser counted more. */
  private void more(Position last, String key, Problem.Severity severity, int more, String what) {
    if (more > 0) {
      String text = kind.annotationName(key) + ": ... and " + more + " more " + what;
      out.accept(problem(last, severity, key, null, text, more));
    }
  }

  /** A policy annotation kubectl would refuse before any webhook sees it. */
  void notAString(String key) {
    out.accept(
        problem(
            start(key),
            Problem.Severity.ERROR,
            key,
            null,
            kind.annotationName(key) + ": expected a string (quote the value)",
            0));
  }

  private Problem problem(
      Position at,
      Problem.Severity severity,
      String key,
      Problem.RuleColumn rule,
      String text,
      int more) {
    return new Problem(at, severity, object, kind.annotationName(key), rule, text, more);
  }

  private Position start(String key) {
    return source.position(annotations.get(key).start());
  }
}
