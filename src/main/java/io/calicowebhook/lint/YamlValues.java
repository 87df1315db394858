package io.calicowebhook.lint;

import java.io.StringReader;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads YAML (1.1, as kubectl does: {@code yes} is true, {@code <<} merges) with SnakeYAML's
 * composer, which keeps where each node is written. Bounded: nesting 200 deep, 1,000 aliases of
 * collections per document.
 */
final class YamlValues {
  static final int MAX_NESTING_DEPTH = 200;
  static final int MAX_ALIASES = 1000;

  private final Source source;
  private final Map<Node, Value> converted = new IdentityHashMap<>();

  private YamlValues(Source source) {
    this.source = source;
  }

  /**
   * Hands each document of {@code source} to {@code document} as it is read; documents before a
   * malformed one are handed over before the error is thrown.
   */
  static void read(Source source, Consumer<Value> document) throws Unreadable {
    LoaderOptions options = new LoaderOptions();
    options.setMergeOnCompose(true);
    options.setNestingDepthLimit(MAX_NESTING_DEPTH);
    options.setMaxAliasesForCollections(MAX_ALIASES);
    options.setCodePointLimit(Source.MAX_BYTES);
    YamlValues values = new YamlValues(source);
    try {
      for (Node node : new Yaml(options).composeAll(new StringReader(source.text()))) {
        if (node != null) {
          document.accept(values.value(node));
        }
        values.converted.clear();
      }
    } catch (MarkedYAMLException e) {
      throw new Unreadable("malformed YAML: " + describe(e), position(e.getProblemMark()));
    } catch (YAMLException e) {
      throw new Unreadable("malformed YAML: " + e.getMessage());
    }
  }

  private Value value(Node node) {
    Value known = converted.get(node);
    if (known != null) {
      return known;
    }
    int start = source.offsetOfCodePoint(node.getStartMark().getIndex());
    if (node instanceof MappingNode mapping) {
      Value.Mapping value = new Value.Mapping(start);
      converted.put(node, value);
      for (NodeTuple entry : mapping.getValue()) {
        if (entry.getKeyNode() instanceof ScalarNode key) {
          value.entries().put(key.getValue(), value(entry.getValueNode()));
        }
      }
      return value;
    }
    if (node instanceof SequenceNode sequence) {
      Value.Sequence value = new Value.Sequence(start);
      converted.put(node, value);
      sequence.getValue().forEach(item -> value.items().add(value(item)));
      return value;
    }
    ScalarNode scalar = (ScalarNode) node;
    return new Value.Scalar(scalar.getValue(), type(scalar), style(scalar.getScalarStyle()), start);
  }

  private static Value.Type type(ScalarNode node) {
    Tag tag = node.getTag();
    if (Tag.NULL.equals(tag)) {
      return Value.Type.NULL;
    }
    if (Tag.BOOL.equals(tag)) {
      return isTrue(node.getValue()) ? Value.Type.TRUE : Value.Type.FALSE;
    }
    return Tag.INT.equals(tag) || Tag.FLOAT.equals(tag) ? Value.Type.NUMBER : Value.Type.STRING;
  }

  private static boolean isTrue(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on", "y" -> true;
      default -> false;
    };
  }

  private static Value.Style style(DumperOptions.ScalarStyle style) {
    return switch (style) {
      case SINGLE_QUOTED -> Value.Style.SINGLE_QUOTED;
      case DOUBLE_QUOTED -> Value.Style.DOUBLE_QUOTED;
      case LITERAL -> Value.Style.LITERAL;
      case FOLDED -> Value.Style.FOLDED;
      default -> Value.Style.PLAIN;
    };
  }

  /**
   * SnakeYAML's problem in one line, with where the construct it was reading started, without its
   * echo of the input: {@code found unexpected end of stream (while scanning a quoted scalar at
   * line 13, column 31)}.
   */
  private static String describe(MarkedYAMLException e) {
    String problem = e.getProblem() == null ? "unexpected input" : e.getProblem();
    Position at = position(e.getContextMark());
    String context =
        e.getContext() == null
            ? ""
            : " ("
                + e.getContext()
                + (at == null ? "" : " at line " + at.line() + ", column " + at.column())
                + ")";
    return (problem + context).replaceAll("\\s+", " ").strip();
  }

  private static Position position(Mark mark) {
    return mark == null ? null : new Position(mark.getLine() + 1, mark.getColumn() + 1);
  }
}
