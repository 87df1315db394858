package io.calicowebhook.admission;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.calicowebhook.pod.WorkloadKind;

/**
 * One RFC 6902 JSON Patch operation; {@code from} only for {@code move}, {@code value} only for
 * {@code add}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record PatchOperation(String op, String from, String path, String value) {

  public static PatchOperation add(String path, String value) {
    return new PatchOperation("add", null, path, value);
  }

  public static PatchOperation remove(String path) {
    return new PatchOperation("remove", null, path, null);
  }

  /** Moves the value at {@code from} to {@code path}, without the value in the patch. */
  public static PatchOperation move(String from, String path) {
    return new PatchOperation("move", from, path, null);
  }

  /**
   * The JSON Pointer (RFC 6901) of an annotation: {@code ~} becomes {@code ~0}, {@code /} {@code
   * ~1}.
   */
  public static String annotationPath(String key) {
    return annotationPath(WorkloadKind.POD, key);
  }

  /**
   * The JSON Pointer of an annotation of the kind's pod (template), e.g. {@code
   * /spec/jobTemplate/spec/template/metadata/annotations/projectcalico.org~1policy} in a CronJob.
   */
  public static String annotationPath(WorkloadKind kind, String key) {
    StringBuilder path = new StringBuilder();
    kind.templatePath().forEach(field -> path.append('/').append(escape(field)));
    return path.append("/metadata/annotations/").append(escape(key)).toString();
  }

  /** Escapes one reference token of a JSON Pointer; {@code ~} first so {@code ~1} stays intact. */
  public static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }
}
