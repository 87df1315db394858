package io.calicowebhook.lint;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * Reads JSON, one value or several in a row (as {@code kubectl get -o json} writes them), keeping
 * where each string is written. Used for inputs that start with {@code {}, as kubectl decides:
 * SnakeYAML rejects some valid JSON, such as tab-indented arrays. Nesting is bounded at 200.
 */
final class JsonValues {
  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder().maxNestingDepth(YamlValues.MAX_NESTING_DEPTH).build())
          .build();

  private final JsonParser parser;

  private JsonValues(JsonParser parser) {
    this.parser = parser;
  }

  /** Whether {@code source} is JSON: its first non-blank character is {@code {}. */
  static boolean isJson(Source source) {
    return source.text().stripLeading().startsWith("{");
  }

  /** Hands each top-level value to {@code document}; those before a syntax error first. */
  static void read(Source source, Consumer<Value> document) throws Unreadable {
    try (JsonParser parser = FACTORY.createParser(source.text())) {
      JsonValues values = new JsonValues(parser);
      while (parser.nextToken() != null) {
        document.accept(values.value());
      }
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new Unreadable(
          "malformed JSON: "
              + e.getOriginalMessage().replaceAll(", from `[^`]*`", "").replaceAll("\\s+", " "),
          at == null ? null : source.position((int) Math.max(0, at.getCharOffset())));
    } catch (IOException e) {
      throw new Unreadable("unreadable JSON: " + e.getClass().getSimpleName());
    }
  }

  /** The value starting at the current token. */
  private Value value() throws IOException {
    return switch (parser.currentToken()) {
      case START_OBJECT -> mapping();
      case START_ARRAY -> sequence();
      case VALUE_STRING -> scalar(Value.Type.STRING, Value.Style.DOUBLE_QUOTED);
      case VALUE_NULL -> scalar(Value.Type.NULL, Value.Style.PLAIN);
      case VALUE_TRUE -> scalar(Value.Type.TRUE, Value.Style.PLAIN);
      case VALUE_FALSE -> scalar(Value.Type.FALSE, Value.Style.PLAIN);
      default -> scalar(Value.Type.NUMBER, Value.Style.PLAIN);
    };
  }

  private Value.Mapping mapping() throws IOException {
    Value.Mapping mapping = new Value.Mapping(start());
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String key = parser.currentName();
      parser.nextToken();
      mapping.entries().put(key, value());
    }
    return mapping;
  }

  private Value.Sequence sequence() throws IOException {
    Value.Sequence sequence = new Value.Sequence(start());
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      sequence.items().add(value());
    }
    return sequence;
  }

  private Value.Scalar scalar(Value.Type type, Value.Style style) throws IOException {
    return new Value.Scalar(parser.getText(), type, style, start());
  }

  /** Where the current token starts, as a char index (the parser reads from a String). */
  private int start() {
    return (int) parser.currentTokenLocation().getCharOffset();
  }
}
