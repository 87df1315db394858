package io.calicowebhook.pod;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The kinds whose pods' policy is judged, and where each keeps the pod template its pods are made
 * from (SPEC section 7). A Pod is its own template (the empty path); the chart registers both
 * webhooks for exactly these resources.
 */
public enum WorkloadKind {
  POD("", "v1", "Pod", "pods", List.of()),
  DEPLOYMENT("apps", "v1", "Deployment", "deployments", List.of("spec", "template")),
  REPLICA_SET("apps", "v1", "ReplicaSet", "replicasets", List.of("spec", "template")),
  STATEFUL_SET("apps", "v1", "StatefulSet", "statefulsets", List.of("spec", "template")),
  DAEMON_SET("apps", "v1", "DaemonSet", "daemonsets", List.of("spec", "template")),
  JOB("batch", "v1", "Job", "jobs", List.of("spec", "template")),
  CRON_JOB(
      "batch", "v1", "CronJob", "cronjobs", List.of("spec", "jobTemplate", "spec", "template")),
  REPLICATION_CONTROLLER(
      "", "v1", "ReplicationController", "replicationcontrollers", List.of("spec", "template")),
  POD_TEMPLATE("", "v1", "PodTemplate", "podtemplates", List.of("template"));

  private final String group;
  private final String version;
  private final String kind;
  private final String resource;
  private final List<String> templatePath;

  WorkloadKind(
      String group, String version, String kind, String resource, List<String> templatePath) {
    this.group = group;
    this.version = version;
    this.kind = kind;
    this.resource = resource;
    this.templatePath = templatePath;
  }

  /** The kind of an admission review's {@code request.kind}; the core group may be "" or absent. */
  public static Optional<WorkloadKind> of(String group, String version, String kind) {
    return of(group, kind).filter(k -> k.version.equals(version));
  }

  /**
   * The kind by group and kind in any version, for files written against an older API version (such
   * as {@code batch/v1beta1} CronJobs), whose templates sit at the same place.
   */
  public static Optional<WorkloadKind> of(String group, String kind) {
    String core = group == null ? "" : group;
    return Arrays.stream(values())
        .filter(k -> k.group.equals(core) && k.kind.equals(kind))
        .findFirst();
  }

  public String group() {
    return group;
  }

  public String version() {
    return version;
  }

  /** The kind's name as in {@code kind:}, e.g. {@code Deployment}. */
  public String kind() {
    return kind;
  }

  /** The resource name the webhooks are registered for, e.g. {@code deployments}. */
  public String resource() {
    return resource;
  }

  public boolean isPod() {
    return this == POD;
  }

  /**
   * The field names leading from the object to its pod template, e.g. {@code [spec, template]};
   * empty for a Pod.
   */
  public List<String> templatePath() {
    return templatePath;
  }

  /**
   * How messages name a field of the pod (template): {@code spec.hostNetwork} on a Pod, {@code
   * spec.template.spec.hostNetwork} in a Deployment.
   */
  public String field(String podField) {
    return templatePath.isEmpty() ? podField : String.join(".", templatePath) + "." + podField;
  }

  /**
   * How errors and warnings name an annotation: the bare key on a Pod (as always), {@code
   * spec.template.metadata.annotations[projectcalico.org/policy]} in a template.
   */
  public String annotationName(String key) {
    return templatePath.isEmpty() ? key : field("metadata.annotations") + "[" + key + "]";
  }

  /**
   * How a sentence names an annotation after the word "annotation": quoted on a Pod ({@code
   * "policy"}), by its path in a template.
   */
  public String quotedAnnotation(String key) {
    return templatePath.isEmpty() ? '"' + key + '"' : annotationName(key);
  }
}
