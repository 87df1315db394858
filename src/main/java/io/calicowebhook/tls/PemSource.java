package io.calicowebhook.tls;

import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Something built from PEM files (a key pair, a set of CAs) that is built again when the files'
 * bytes change. A change that cannot be read or built (a half-written file, a key that does not
 * match its certificate, a rotation caught between its two files) leaves the current value in place
 * and is logged once; the next change of the bytes is tried again.
 *
 * @param <T> what the files are built into
 */
final class PemSource<T> {
  private static final Logger LOG = Logger.getLogger(PemSource.class);

  /** Builds a value from the files' bytes; any failure means "not usable". */
  @FunctionalInterface
  interface Builder<T> {
    T build(PemFiles files) throws Exception;
  }

  private final String what;
  private final List<Path> paths;
  private final Builder<T> builder;
  private PemFiles lastRead;

  PemSource(String what, List<Path> paths, Builder<T> builder) {
    this.what = what;
    this.paths = List.copyOf(paths);
    this.builder = builder;
  }

  /**
   * The value the files hold now.
   *
   * @throws IllegalStateException when they cannot be read or built, saying which and why
   */
  synchronized T load() {
    try {
      lastRead = PemFiles.read(paths);
      return builder.build(lastRead);
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot load the " + what + " from " + String.join(" and ", names()) + ": " + reason(e),
          e);
    }
  }

  /** A new value when the files changed since they were last read and the change is usable. */
  synchronized Optional<T> reload() {
    PemFiles files;
    try {
      files = PemFiles.read(paths);
    } catch (Exception e) {
      LOG.warnf("cannot read the %s, keeping the current one: %s", what, reason(e));
      return Optional.empty();
    }
    if (files.sameAs(lastRead)) {
      return Optional.empty();
    }
    lastRead = files;
    try {
      return Optional.of(builder.build(files));
    } catch (Exception e) {
      LOG.warnf(
          "cannot load the changed %s from %s, keeping the current one: %s",
          what, String.join(" and ", names()), reason(e));
      return Optional.empty();
    }
  }

  private List<String> names() {
    return paths.stream().map(Path::toString).toList();
  }

  private static String reason(Exception e) {
    if (e instanceof FileSystemException file) {
      return file.getFile()
          + ": "
          + (file.getReason() != null ? file.getReason() : e.getClass().getSimpleName());
    }
    Throwable cause = e;
    while (cause.getCause() != null && cause.getMessage() == null) {
      cause = cause.getCause();
    }
    return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
  }
}
