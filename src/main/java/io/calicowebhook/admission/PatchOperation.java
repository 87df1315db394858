package io.calicowebhook.admission;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One RFC 6902 JSON Patch operation; {@code from} only for {@code move}, {@code value} only for
 * {@code add}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PatchOperation(String op, String from, String path, String value) {

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
    return "/metadata/annotations/" + escape(key);
  }

  /** Escapes one reference token of a JSON Pointer; {@code ~} first so {@code ~1} stays intact. */
  public static String escape(String token) {
    return token.replace("~", "~0").replace("/", "~1");
  }
}
