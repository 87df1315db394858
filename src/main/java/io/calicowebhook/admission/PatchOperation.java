package io.calicowebhook.admission;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One RFC 6902 JSON Patch operation; {@code value} is absent for {@code remove}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PatchOperation(String op, String path, String value) {

  public static PatchOperation add(String path, String value) {
    return new PatchOperation("add", path, value);
  }

  public static PatchOperation remove(String path) {
    return new PatchOperation("remove", path, null);
  }

  /**
   * The JSON Pointer (RFC 6901) of an annotation: {@code ~} becomes {@code ~0}, {@code /} {@code
   * ~1}.
   */
  public static String annotationPath(String key) {
    return "/metadata/annotations/" + escape(key);
  }

  /** Escapes one reference token of a JSON Pointer; {@code ~} first so {@code ~1} stays intact. */
  public static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }
}
