package io.calicowebhook.lint;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code java -jar calico-policy-lint.jar [--format text|json] FILE... | -}: the offline linter.
 * Checks the policy annotations of every Pod and workload pod template in YAML or JSON files with
 * the admission webhook's own parser and checks, without Quarkus, a cluster or the network. Exit
 * code 0 without errors, 1 with errors, 2 for unreadable input or a bad command line.
 */
public final class PolicyLint {
  static final String NAME = "calico-policy-lint";
  static final String USAGE =
      """
      usage: java -jar calico-policy-lint.jar [--format text|json] FILE... | -

      Checks the projectcalico.org/policy (and legacy policy) annotations of Pods and of the
      pod templates of Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs,
      ReplicationControllers and PodTemplates in YAML or JSON files, as the admission webhook
      would. '-' reads standard input, e.g. helm template ... | java -jar calico-policy-lint.jar -

      Prints FILE:LINE:COLUMN: error|warning: OBJECT: MESSAGE, one line per problem.
      Exit status: 0 no errors, 1 errors found, 2 unreadable input or bad usage.
      """;

  private PolicyLint() {}

  public static void main(String[] args) {
    PrintStream out =
        new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    PrintStream err =
        new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    System.exit(run(args, System.in, out, err));
  }

  /** Runs the linter and returns its exit code; never throws for any input. */
  static int run(String[] args, InputStream stdin, PrintStream out, PrintStream err) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      err.println(NAME + ": " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    if (options.help()) {
      out.print(USAGE);
      return 0;
    }
    Report report = new Report();
    for (String input : options.inputs()) {
      lint(input, stdin, report);
    }
    report.print(options.json(), out, err);
    return report.exitCode();
  }

  private static void lint(String input, InputStream stdin, Report report) {
    boolean isStdin = "-".equals(input);
    String name = isStdin ? "<stdin>" : input;
    List<Problem> problems = new ArrayList<>();
    try {
      Source source = isStdin ? Source.read(name, stdin) : read(input);
      Linter linter = new Linter(source, problems::add);
      if (JsonValues.isJson(source)) {
        JsonValues.read(source, linter::document);
      } else {
        YamlValues.read(source, linter::document);
      }
    } catch (Unreadable e) {
      report.unreadable(name, e.position(), e.getMessage());
    } catch (IOException e) {
      report.unreadable(name, null, "cannot read: " + reason(e));
    } catch (RuntimeException | StackOverflowError e) {
      report.unreadable(name, null, "cannot parse: " + e.getClass().getSimpleName());
    } finally {
      report.problems(name, problems);
    }
  }

  private static Source read(String file) throws IOException, Unreadable {
    try (InputStream in = Files.newInputStream(Path.of(file))) {
      return Source.read(file, in);
    }
  }

  private static String reason(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
