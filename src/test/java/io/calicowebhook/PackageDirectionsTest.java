package io.calicowebhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Which package of the service may use which: the architecture as a table, so that a new import
 * that turns an arrow around fails here instead of growing a cycle. Read top down: a package uses
 * only packages listed for it, each of which sits lower.
 *
 * <pre>
 *   sync        the mode switch: local (admission feeds the worker) or cluster (the reconciler)
 *   admission   the HTTPS endpoints and review handling
 *   reconciler  cluster only: informer cache, resync, leadership, Events
 *   worker      the background writer both modes use
 *   store       profiles in etcd: ownership, guarded writes, scans, the drift watch
 *   etcd        the connection: settings, clients, errors, health, the key layout
 *   certs       the service's own CA and serving certificate, in a Secret
 *   tls         serving certificates and client-certificate checks
 *   config      the settings
 *   lint        the offline linter
 *   profile     pod to profile, Felix's rule format, Calico names
 *   pod         a pod's own model and the shared judge of its policy annotation
 *   policy      the language
 * </pre>
 */
class PackageDirectionsTest {
  private static final Path SOURCES = Path.of("src", "main", "java", "io", "calicowebhook");
  private static final Pattern SERVICE_NAME = Pattern.compile("\\bio\\.calicowebhook\\.(\\w+)\\.");

  private static final Map<String, Set<String>> ALLOWED =
      Map.ofEntries(
          Map.entry(
              "sync",
              Set.of(
                  "admission",
                  "reconciler",
                  "worker",
                  "store",
                  "etcd",
                  "config",
                  "profile",
                  "pod")),
          Map.entry("admission", Set.of("tls", "config", "profile", "pod", "policy")),
          Map.entry("reconciler", Set.of("worker", "store", "etcd", "config", "profile", "pod")),
          Map.entry("worker", Set.of("store", "etcd", "config", "profile", "pod", "policy")),
          Map.entry("store", Set.of("etcd", "profile", "pod")),
          Map.entry("etcd", Set.of("config")),
          Map.entry("certs", Set.of("tls", "config")),
          Map.entry("tls", Set.of("config")),
          Map.entry("config", Set.of("profile")),
          Map.entry("lint", Set.of("pod", "policy")),
          Map.entry("profile", Set.of("pod", "policy")),
          Map.entry("pod", Set.of("policy")),
          Map.entry("policy", Set.of()));

  @Test
  void everyPackageUsesOnlyThePackagesBelowIt() throws IOException {
    List<String> offending = new ArrayList<>();
    for (String pkg : packages()) {
      Set<String> allowed = ALLOWED.get(pkg);
      if (allowed == null) {
        offending.add(pkg + ": a new package; give it its place in ALLOWED");
        continue;
      }
      for (Path source : sources(pkg)) {
        Matcher m = SERVICE_NAME.matcher(Files.readString(source));
        while (m.find()) {
          String used = m.group(1);
          if (!used.equals(pkg) && !allowed.contains(used)) {
            offending.add(pkg + "/" + source.getFileName() + " uses " + used);
          }
        }
      }
    }
    assertEquals(List.of(), offending);
  }

  @Test
  void theTableHasNoCycle() {
    for (String pkg : ALLOWED.keySet()) {
      assertTrue(!reaches(pkg, pkg, new TreeSet<>()), pkg + " reaches itself");
    }
  }

  @Test
  void theTableNamesOnlyPackagesThatExist() throws IOException {
    assertEquals(new TreeSet<>(ALLOWED.keySet()), new TreeSet<>(packages()));
  }

  private static boolean reaches(String from, String target, Set<String> seen) {
    for (String next : ALLOWED.get(from)) {
      if (next.equals(target) || (seen.add(next) && reaches(next, target, seen))) {
        return true;
      }
    }
    return false;
  }

  private static List<String> packages() throws IOException {
    try (Stream<Path> dirs = Files.list(SOURCES)) {
      List<String> packages =
          dirs.filter(Files::isDirectory)
              .filter(PackageDirectionsTest::holdsSources)
              .map(d -> d.getFileName().toString())
              .sorted()
              .toList();
      assertTrue(packages.size() > 5, "found the packages in " + SOURCES.toAbsolutePath());
      return packages;
    }
  }

  /** A folder left empty by a move (git keeps none) is no package. */
  private static boolean holdsSources(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.anyMatch(f -> f.toString().endsWith(".java"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<Path> sources(String pkg) throws IOException {
    try (Stream<Path> files = Files.list(SOURCES.resolve(pkg))) {
      return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
    }
  }
}
