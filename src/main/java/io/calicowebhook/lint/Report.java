package io.calicowebhook.lint;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Everything found in every input, in input order and, within an input, in the order of the text;
 * printed as one line per problem (stdout; unreadable inputs on stderr) or as one JSON document.
 */
final class Report {
  private static final JsonFactory JSON = new JsonFactory();
  private static final Comparator<Problem> IN_TEXT_ORDER =
      Comparator.comparingInt((Problem p) -> p.at().line()).thenComparingInt(p -> p.at().column());

  /** A problem with the name of its input. */
  private record Found(String file, Problem problem) {}

  /** An input that could not be read; {@code at} is null when no position is known. */
  private record Unread(String file, Position at, String message) {}

  private final List<Found> found = new ArrayList<>();
  private final List<Unread> unread = new ArrayList<>();

  void problems(String file, List<Problem> problems) {
    problems.stream().sorted(IN_TEXT_ORDER).map(p -> new Found(file, p)).forEach(found::add);
  }

  void unreadable(String file, Position at, String message) {
    unread.add(new Unread(file, at, message));
  }

  /** 2 when any input was unreadable, else 1 when there are errors, else 0. */
  int exitCode() {
    if (!unread.isEmpty()) {
      return 2;
    }
    return count(Problem.Severity.ERROR) > 0 ? 1 : 0;
  }

  void print(boolean json, PrintStream out, PrintStream err) {
    unread.forEach(u -> err.println(line(u)));
    if (json) {
      printJson(out);
    } else {
      found.forEach(f -> out.println(line(f)));
    }
    out.flush();
  }

  /** {@code FILE:LINE:COLUMN: error: OBJECT: MESSAGE}. */
  private static String line(Found f) {
    Problem p = f.problem();
    return printable(
        f.file()
            + ":"
            + p.at().line()
            + ":"
            + p.at().column()
            + ": "
            + p.severity().label()
            + ": "
            + p.object()
            + ": "
            + p.message());
  }

  /** {@code FILE:LINE:COLUMN: fatal: MESSAGE}, without the position when none is known. */
  private static String line(Unread u) {
    String where = u.at() == null ? "" : ":" + u.at().line() + ":" + u.at().column();
    return printable(u.file() + where + ": fatal: " + u.message());
  }

  private void printJson(PrintStream out) {
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      json.writeStartObject();
      json.writeArrayFieldStart("problems");
      for (Found f : found) {
        writeProblem(json, f);
      }
      json.writeEndArray();
      json.writeArrayFieldStart("unreadable");
      for (Unread u : unread) {
        writeUnread(json, u);
      }
      json.writeEndArray();
      json.writeNumberField("errors", count(Problem.Severity.ERROR));
      json.writeNumberField("warnings", count(Problem.Severity.WARNING));
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.println();
  }

  private static void writeProblem(JsonGenerator json, Found f) throws IOException {
    Problem p = f.problem();
    json.writeStartObject();
    json.writeStringField("file", f.file());
    json.writeNumberField("line", p.at().line());
    json.writeNumberField("column", p.at().column());
    json.writeStringField("severity", p.severity().label());
    json.writeStringField("object", p.object());
    json.writeStringField("annotation", p.annotation());
    if (p.rule() != null) {
      json.writeNumberField("rule", p.rule().rule());
      json.writeNumberField("ruleColumn", p.rule().column());
    }
    if (p.more() > 0) {
      json.writeNumberField("more", p.more());
    }
    json.writeStringField("message", p.message());
    json.writeEndObject();
  }

  private static void writeUnread(JsonGenerator json, Unread u) throws IOException {
    json.writeStartObject();
    json.writeStringField("file", u.file());
    if (u.at() != null) {
      json.writeNumberField("line", u.at().line());
      json.writeNumberField("column", u.at().column());
    }
    json.writeStringField("message", u.message());
    json.writeEndObject();
  }

  /** Problems of the severity, each {@code ... and N more} line counting as its N. */
  private long count(Problem.Severity severity) {
    return found.stream()
        .map(Found::problem)
        .filter(p -> p.severity() == severity)
        .mapToLong(Problem::count)
        .sum();
  }

  /**
   * The line with control characters written as {@code \\uXXXX}: a policy's found text is printed
   * as written, and must neither break the one-line-per-problem format nor drive the terminal.
   */
  private static String printable(String line) {
    StringBuilder out = new StringBuilder(line.length());
    line.codePoints()
        .forEach(
            c ->
                out.append(
                    Character.isISOControl(c) ? "\\u%04x".formatted(c) : Character.toString(c)));
    return out.toString();
  }
}
