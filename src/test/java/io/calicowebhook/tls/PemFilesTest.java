package io.calicowebhook.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PEM files are read whole only up to a bound: a path naming something else is refused. */
class PemFilesTest {
  @TempDir Path dir;

  @Test
  void readsAFileOfExactlyTheBound() throws IOException {
    Path file = dir.resolve("bundle.pem");
    byte[] content = new byte[PemFiles.MAX_BYTES];
    Files.write(file, content);

    assertArrayEquals(content, PemFiles.read(List.of(file)).content(0));
  }

  @Test
  void refusesAFileOverTheBoundSayingWhich() throws IOException {
    Path file = dir.resolve("huge.pem");
    Files.write(file, new byte[PemFiles.MAX_BYTES + 1]);

    IOException refused = assertThrows(IOException.class, () -> PemFiles.read(List.of(file)));

    assertEquals(
        file + " is larger than 1024 KiB: not a PEM certificate or key", refused.getMessage());
  }

  @Test
  void aServingPairOverTheBoundStopsTheStartWithThatReason() throws IOException {
    Path cert = dir.resolve("tls.crt");
    Path key = dir.resolve("tls.key");
    ServingKeyManagerTest.makePair("rsa", "PKCS8", cert, key);
    Files.write(key, new byte[PemFiles.MAX_BYTES + 1]);

    IllegalStateException refused =
        assertThrows(IllegalStateException.class, () -> new ServingKeyManager(cert, key));

    assertEquals(
        "cannot load the serving certificate from "
            + cert
            + " and "
            + key
            + ": "
            + key
            + " is larger than 1024 KiB: not a PEM certificate or key",
        refused.getMessage());
  }
}
