package io.calicowebhook.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every relative link of the documents leads somewhere: the file exists, and a {@code #anchor}
 * names a heading of it, slugged as GitHub slugs headings. Links to other sites are not followed.
 */
class DocsLinksTest {
  private static final Pattern LINK = Pattern.compile("\\[([^\\]]*)\\]\\(([^)\\s]+)\\)");
  private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");
  private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~)");
  private static final Pattern CODE_SPAN = Pattern.compile("`[^`]*`");

  static Stream<Path> documents() throws IOException {
    List<Path> documents = new ArrayList<>();
    documents.add(Path.of("README.md"));
    documents.add(Path.of("bench", "README.md"));
    try (Stream<Path> docs = Files.list(Path.of("docs"));
        Stream<Path> benches = Files.list(Path.of("bench"));
        Stream<Path> charts = Files.list(Path.of("helm"))) {
      docs.filter(f -> f.toString().endsWith(".md")).sorted().forEach(documents::add);
      benches
          .map(b -> b.resolve("README.md"))
          .filter(Files::exists)
          .sorted()
          .forEach(documents::add);
      charts.map(c -> c.resolve("README.md")).filter(Files::exists).forEach(documents::add);
    }
    return documents.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("documents")
  void everyRelativeLinkResolves(Path document) {
    List<String> broken = new ArrayList<>();
    for (String target : links(document)) {
      String problem = problem(document, target);
      if (problem != null) {
        broken.add(target + ": " + problem);
      }
    }
    assertEquals(List.of(), broken, () -> document + " has broken links");
  }

  @Test
  void theChecksCatchABrokenLinkAndABrokenAnchor() {
    Path document = Path.of("docs", "spec.md");
    assertEquals("no such file", problem(document, "no-such-file.md"));
    assertEquals("no heading #no-such-heading", problem(document, "#no-such-heading"));
    assertEquals(null, problem(document, "#2-the-policy-language"));
    assertEquals(null, problem(document, "../README.md#install"));
  }

  @Test
  void headingsAreSluggedAsGitHubDoes() {
    assertEquals("post-validate", slug("`POST /validate`"));
    assertEquals(
        "defaults-pods-without-a-policy-calico_default_policy",
        slug("Defaults: pods without a policy (`CALICO_DEFAULT_POLICY`)"));
    assertEquals(
        "6-the-admission-protocol-what-the-kube-apiserver-checks",
        slug("6. The admission protocol: what the kube-apiserver checks"));
  }

  @Test
  void onlyRelativeLinksOutsideCodeAreChecked(@TempDir Path dir) throws IOException {
    Path document = dir.resolve("doc.md");
    Files.writeString(
        document,
        String.join(
            "\n",
            "See [a](a.md#x) and `[b](b.md)`, [c](https://example.com/c.md).",
            "```",
            "[d](d.md)",
            "```",
            "[e](#e)"));
    assertEquals(List.of("a.md#x", "#e"), links(document));
  }

  /** Null when {@code target}, written in {@code document}, resolves; else what is wrong. */
  private static String problem(Path document, String target) {
    int hash = target.indexOf('#');
    String file = hash < 0 ? target : target.substring(0, hash);
    String anchor = hash < 0 ? null : target.substring(hash + 1);
    Path resolved =
        file.isEmpty()
            ? document
            : document.getParent() == null ? Path.of(file) : document.getParent().resolve(file);
    resolved = resolved.normalize();
    if (!Files.exists(resolved)) {
      return "no such file";
    }
    if (anchor != null && !anchors(resolved).contains(anchor)) {
      return "no heading #" + anchor;
    }
    return null;
  }

  /** Relative link targets outside code blocks and code spans. */
  private static List<String> links(Path document) {
    List<String> links = new ArrayList<>();
    boolean inFence = false;
    for (String line : lines(document)) {
      if (FENCE.matcher(line).find()) {
        inFence = !inFence;
        continue;
      }
      if (inFence) {
        continue;
      }
      Matcher link = LINK.matcher(CODE_SPAN.matcher(line).replaceAll(""));
      while (link.find()) {
        String target = link.group(2);
        if (!target.matches("^[a-z]+:.*")) {
          links.add(target);
        }
      }
    }
    return links;
  }

  /** The anchors GitHub gives the headings of a markdown file; none for other files. */
  private static Set<String> anchors(Path file) {
    Set<String> anchors = new LinkedHashSet<>();
    if (!file.toString().endsWith(".md")) {
      return anchors;
    }
    Map<String, Integer> seen = new HashMap<>();
    boolean inFence = false;
    for (String line : lines(file)) {
      if (FENCE.matcher(line).find()) {
        inFence = !inFence;
        continue;
      }
      Matcher heading = HEADING.matcher(line);
      if (!inFence && heading.matches()) {
        String slug = slug(heading.group(1));
        int count = seen.merge(slug, 1, Integer::sum);
        anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
      }
    }
    return anchors;
  }

  /** GitHub's slug: lowercase, punctuation dropped (not '-' or '_'), each space a '-'. */
  static String slug(String heading) {
    String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
    return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
