package io.calicowebhook.lint;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The command line: {@code [--format text|json] FILE... | -}, or {@code --help}.
 *
 * @param help print the usage and stop
 * @param json print JSON instead of one line per problem
 * @param inputs files to read, {@code -} for standard input
 */
record Options(boolean help, boolean json, List<String> inputs) {

  /**
   * @throws IllegalArgumentException with a one-line reason for a bad command line
   */
  static Options parse(String... args) {
    Parser parser = new Parser();
    Iterator<String> rest = List.of(args).iterator();
    while (rest.hasNext()) {
      parser.take(rest.next(), rest);
    }
    if (!parser.help && parser.inputs.isEmpty()) {
      throw new IllegalArgumentException("no input: name files, or - for standard input");
    }
    return new Options(parser.help, parser.json, List.copyOf(parser.inputs));
  }

  private static final class Parser {
    private final List<String> inputs = new ArrayList<>();
    private boolean help;
    private boolean json;
    private boolean optionsEnded;

    void take(String arg, Iterator<String> rest) {
      if (optionsEnded || "-".equals(arg) || !arg.startsWith("-")) {
        inputs.add(arg);
        return;
      }
      switch (arg) {
        case "--" -> optionsEnded = true;
        case "-h", "--help" -> help = true;
        case "--format" -> json = isJson(rest.hasNext() ? rest.next() : "");
        default -> {
          if (!arg.startsWith("--format=")) {
            throw new IllegalArgumentException("unknown option " + arg);
          }
          json = isJson(arg.substring("--format=".length()));
        }
      }
    }

    private static boolean isJson(String format) {
      return switch (format) {
        case "json" -> true;
        case "text" -> false;
        default ->
            throw new IllegalArgumentException("--format takes text or json, not '" + format + "'");
      };
    }
  }
}
