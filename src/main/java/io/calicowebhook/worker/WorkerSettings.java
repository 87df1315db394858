package io.calicowebhook.worker;

import io.calicowebhook.config.CalicoConfig;
import java.time.Duration;
import java.util.List;

/**
 * The checked settings of {@link ProfileWorker}.
 *
 * @param inFlight transactions in flight at once
 * @param backoffMin first pause after etcd fails
 * @param backoffMax longest pause
 * @param drainTimeout how long shutdown waits for pending profiles
 */
public record WorkerSettings(
    int inFlight, Duration backoffMin, Duration backoffMax, Duration drainTimeout) {

  /**
   * Checks {@code config}, adding every mistake to {@code problems}.
   *
   * @return the settings, meaningful only when no problem was added
   */
  public static WorkerSettings from(CalicoConfig.Worker config, List<String> problems) {
    if (config.inFlight() < 1) {
      problems.add("calico.worker.in-flight must be at least 1");
    }
    if (!positive(config.backoffMin()) || config.backoffMax().compareTo(config.backoffMin()) < 0) {
      problems.add("calico.worker.backoff-min must be positive and at most backoff-max");
    }
    if (config.drainTimeout().isNegative()) {
      problems.add("calico.worker.drain-timeout must not be negative");
    }
    return new WorkerSettings(
        config.inFlight(), config.backoffMin(), config.backoffMax(), config.drainTimeout());
  }

  public static boolean positive(Duration duration) {
    return !duration.isNegative() && !duration.isZero();
  }
}
