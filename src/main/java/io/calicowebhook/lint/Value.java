package io.calicowebhook.lint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed YAML or JSON value, keeping where each scalar is written. Mappings and sequences are
 * shared, not copied, where YAML aliases repeat them, so a document's size bounds the work.
 */
sealed interface Value permits Value.Mapping, Value.Sequence, Value.Scalar {

  /** The char index in the input where the value starts (at a quote or block indicator). */
  int start();

  /** A mapping with string keys (other keys are dropped: Kubernetes has none). */
  record Mapping(Map<String, Value> entries, int start) implements Value {
    Mapping(int start) {
      this(new LinkedHashMap<>(), start);
    }

    Value get(String key) {
      return entries.get(key);
    }

    /** The mapping under {@code key}, or null. */
    Mapping mapping(String key) {
      return entries.get(key) instanceof Mapping m ? m : null;
    }

    /** The text of the scalar under {@code key}, or null when absent, null or not a scalar. */
    String text(String key) {
      return entries.get(key) instanceof Scalar s && s.type() != Type.NULL ? s.text() : null;
    }
  }

  record Sequence(List<Value> items, int start) implements Value {
    Sequence(int start) {
      this(new ArrayList<>(), start);
    }
  }

  /**
   * A scalar as written.
   *
   * @param text its value
   * @param type what YAML 1.1 (as kubectl reads it) or JSON makes of it
   * @param style how it is written, which decides how its characters map back to the input
   * @param start the char index in the input where it starts (at the quote or block indicator)
   */
  record Scalar(String text, Type type, Style style, int start) implements Value {}

  enum Type {
    STRING,
    NULL,
    TRUE,
    FALSE,
    NUMBER
  }

  enum Style {
    PLAIN,
    SINGLE_QUOTED,
    DOUBLE_QUOTED,
    /** {@code |} */
    LITERAL,
    /** {@code >} */
    FOLDED
  }
}
