package io.calicowebhook.tls;

import java.util.Optional;

/**
 * A serving pair to start with when the files named by {@code WEBHOOK_TLS_CERT} and {@code
 * WEBHOOK_TLS_KEY} do not hold one yet: with service-owned certificates the service fills the
 * Secret that its volume mounts at its first start, and kubelet only brings the new content into
 * the volume on its next sync. Until then the pair comes from here; from the first reload that
 * finds a usable pair on disk, the files are served as usual.
 */
public interface StartupServingPair {
  /** A PEM certificate chain and its PEM private key. */
  record Pem(byte[] certificate, byte[] key) {}

  /**
   * The pair, when this service makes its own; called once, before the files are first read.
   *
   * @throws IllegalStateException when the service makes its own pair but cannot get one
   */
  Optional<Pem> startupPair();
}
