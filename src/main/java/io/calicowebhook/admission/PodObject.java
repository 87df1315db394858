package io.calicowebhook.admission;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * {@code request.object} or {@code request.oldObject} reduced to what a decision needs: a Pod's
 * {@code metadata} and {@code spec.hostNetwork}, or the pod template a workload carries, which has
 * the same shape ({@code spec.template}, {@code spec.jobTemplate.spec.template} of a CronJob,
 * {@code template} of a PodTemplate). Everything else of the object is skipped while reading.
 */
record PodObject(ObjectMeta metadata, Spec spec, PodObject template) {

  /** A Pod, or a pod template. */
  public PodObject(ObjectMeta metadata, Spec spec) {
    this(metadata, spec, null);
  }

  /**
   * {@code spec.hostNetwork}, the only field of a pod's spec that matters here, and the templates a
   * workload's spec holds.
   */
  public record Spec(Boolean hostNetwork, PodObject template, PodObject jobTemplate) {
    public Spec(Boolean hostNetwork) {
      this(hostNetwork, null, null);
    }
  }

  /** The object's metadata, never null. */
  public ObjectMeta meta() {
    return metadata == null ? new ObjectMeta(null, null, null, null, null, null) : metadata;
  }

  public Map<String, String> annotations() {
    return meta().annotationsOrEmpty();
  }

  public boolean hostNetwork() {
    return spec != null && Boolean.TRUE.equals(spec.hostNetwork());
  }

  /**
   * The pod template at {@code path} (a {@code WorkloadKind.templatePath()}, such as {@code [spec,
   * jobTemplate, spec, template]}): this object for the empty path, null when a step is absent.
   */
  public PodObject templateAt(List<String> path) {
    PodObject node = this;
    Iterator<String> steps = path.iterator();
    while (node != null && steps.hasNext()) {
      String step = steps.next();
      node = "spec".equals(step) ? node.inSpec(steps.next()) : node.field(step);
    }
    return node;
  }

  private PodObject field(String name) {
    if (!"template".equals(name)) {
      throw new IllegalArgumentException("no pod template at " + name);
    }
    return template;
  }

  private PodObject inSpec(String name) {
    if (spec == null) {
      return null;
    }
    return switch (name) {
      case "template" -> spec.template();
      case "jobTemplate" -> spec.jobTemplate();
      default -> throw new IllegalArgumentException("no pod template at spec." + name);
    };
  }
}
