package io.calicowebhook.lint;

import io.calicowebhook.pod.PolicyAnnotations;
import io.calicowebhook.pod.PolicyVerdict;
import io.calicowebhook.pod.WorkloadKind;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Finds the Pods and workload pod templates in one document (also inside {@code kind: List} and the
 * other {@code *List} kinds) and judges their policy annotations with the admission's own checks.
 * Other kinds are skipped silently; a workload kind matches in any API version of its group (old
 * {@code batch/v1beta1} CronJobs keep their template at the same place).
 */
final class Linter {
  /** How deep Lists inside Lists are followed. */
  static final int MAX_LIST_DEPTH = 8;

  private static final List<String> POLICY_KEYS =
      List.of(PolicyAnnotations.KEY, PolicyAnnotations.LEGACY_KEY);

  private final Source source;
  private final Consumer<Problem> problems;
  private final Set<Value.Mapping> seen = Collections.newSetFromMap(new IdentityHashMap<>());

  Linter(Source source, Consumer<Problem> problems) {
    this.source = source;
    this.problems = problems;
  }

  /** Lints one document of the source. */
  void document(Value document) {
    visit(document, 0);
  }

  /** Each object once, however often aliases repeat it. */
  private void visit(Value value, int depth) {
    if (!(value instanceof Value.Mapping object) || !seen.add(object)) {
      return;
    }
    String kind = object.text("kind");
    if (kind != null && kind.endsWith("List") && object.get("items") instanceof Value.Sequence s) {
      if (depth < MAX_LIST_DEPTH) {
        s.items().forEach(item -> visit(item, depth + 1));
      }
      return;
    }
    WorkloadKind.of(group(object.text("apiVersion")), kind).ifPresent(k -> judge(object, k));
  }

  private void judge(Value.Mapping object, WorkloadKind kind) {
    Value.Mapping pod = at(object, kind.templatePath());
    Value.Mapping annotations = at(pod, List.of("metadata", "annotations"));
    if (annotations == null) {
      return;
    }
    Findings findings = new Findings(source, kind, describe(object, kind), annotations, problems);
    for (String key : POLICY_KEYS) {
      Value value = annotations.get(key);
      if (value != null && !isString(value)) {
        findings.notAString(key);
      }
    }
    PolicyVerdict.Site site =
        new PolicyVerdict.Site(kind, strings(annotations), namespace(object), hostNetwork(pod));
    PolicyVerdict.of(site).ifPresent(findings::report);
  }

  /**
   * The annotations as the apiserver reads them: strings, null as "". Anything else (an unquoted
   * {@code yes} or number, a mapping) is left out: kubectl refuses such an object, and a policy
   * annotation of that sort is reported as not a string.
   */
  private static Map<String, String> strings(Value.Mapping annotations) {
    Map<String, String> strings = new LinkedHashMap<>();
    annotations
        .entries()
        .forEach(
            (key, value) -> {
              if (isString(value)) {
                Value.Scalar scalar = (Value.Scalar) value;
                strings.put(key, scalar.type() == Value.Type.NULL ? "" : scalar.text());
              }
            });
    return strings;
  }

  private static boolean isString(Value value) {
    return value instanceof Value.Scalar s
        && (s.type() == Value.Type.STRING || s.type() == Value.Type.NULL);
  }

  private static String namespace(Value.Mapping object) {
    Value.Mapping metadata = object.mapping("metadata");
    return metadata == null ? null : metadata.text("namespace");
  }

  private static boolean hostNetwork(Value.Mapping pod) {
    Value.Mapping spec = pod.mapping("spec");
    return spec != null
        && spec.get("hostNetwork") instanceof Value.Scalar s
        && s.type() == Value.Type.TRUE;
  }

  /** The mapping at {@code path} under {@code from}, or null. */
  private static Value.Mapping at(Value.Mapping from, List<String> path) {
    Value.Mapping node = from;
    for (int i = 0; node != null && i < path.size(); i++) {
      node = node.mapping(path.get(i));
    }
    return node;
  }

  /** The group of an apiVersion: {@code apps} of {@code apps/v1}, "" of {@code v1}. */
  private static String group(String apiVersion) {
    if (apiVersion == null) {
      return null;
    }
    int slash = apiVersion.indexOf('/');
    return slash < 0 ? "" : apiVersion.substring(0, slash);
  }

  /** {@code Deployment web}, else the kind with its generateName ({@code Job migrate-*}). */
  private static String describe(Value.Mapping object, WorkloadKind kind) {
    Value.Mapping metadata = object.mapping("metadata");
    String name = metadata == null ? null : metadata.text("name");
    if (name != null && !name.isEmpty()) {
      return kind.kind() + " " + name;
    }
    String generateName = metadata == null ? null : metadata.text("generateName");
    return generateName == null ? kind.kind() : kind.kind() + " " + generateName + "*";
  }
}
