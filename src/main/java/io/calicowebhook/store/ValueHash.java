package io.calicowebhook.store;

import java.security.SecureRandom;

/**
 * A 64-bit hash of a value the service wrote, so that {@link KnownProfiles} can tell whether a
 * desired value equals the stored one without keeping it. Seeded at random per process, so nobody
 * can craft two values that collide; a collision would at worst leave one value unwritten until the
 * next change of that pod.
 */
final class ValueHash {
  private static final long SEED = new SecureRandom().nextLong() | 1L;
  private static final long MULTIPLIER = 0x9E3779B97F4A7C15L;

  private ValueHash() {}

  static long of(String value) {
    long hash = SEED;
    for (int i = 0; i < value.length(); i++) {
      hash = (hash ^ value.charAt(i)) * MULTIPLIER;
      hash ^= hash >>> 29;
    }
    return hash ^ value.length();
  }
}
