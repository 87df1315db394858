package io.calicowebhook.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The bytes of some PEM files as read at one moment, to tell whether any of them changed since: the
 * files are small, so comparing their bytes on every reload period is cheaper and surer than
 * trusting modification times (a Kubernetes Secret volume swaps a symbolic link, an editor may keep
 * the time). Each file is read up to {@link #MAX_BYTES}.
 */
record PemFiles(List<Path> paths, List<byte[]> contents) {
  /**
   * Largest file read: a certificate chain, a key or a CA bundle is a few KiB (the whole Mozilla
   * bundle is about 220 KiB); a path that names something else is refused, not read whole on every
   * reload period.
   */
  static final int MAX_BYTES = 1024 * 1024;

  static PemFiles read(List<Path> paths) throws IOException {
    List<byte[]> contents = new ArrayList<>(paths.size());
    for (Path path : paths) {
      contents.add(readBounded(path));
    }
    return new PemFiles(List.copyOf(paths), List.copyOf(contents));
  }

  private static byte[] readBounded(Path path) throws IOException {
    try (InputStream in = Files.newInputStream(path)) {
      byte[] content = in.readNBytes(MAX_BYTES + 1);
      if (content.length > MAX_BYTES) {
        throw new IOException(
            path + " is larger than " + MAX_BYTES / 1024 + " KiB: not a PEM certificate or key");
      }
      return content;
    }
  }

  /** Whether {@code other} read the same files and found the same bytes in each. */
  boolean sameAs(PemFiles other) {
    if (other == null || !paths.equals(other.paths)) {
      return false;
    }
    for (int i = 0; i < contents.size(); i++) {
      if (!Arrays.equals(contents.get(i), other.contents.get(i))) {
        return false;
      }
    }
    return true;
  }

  byte[] content(int index) {
    return contents.get(index);
  }
}
