package io.calicowebhook.profile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;

/**
 * The one JSON writer for everything written to Felix: compact, key order fixed by annotations, so
 * the same value always gives the same bytes (the worker compares stored and desired text).
 */
final class FelixJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private FelixJson() {}

  /** {@code value} as compact JSON. */
  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
