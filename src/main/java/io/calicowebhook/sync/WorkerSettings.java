package io.calicowebhook.sync;

import io.calicowebhook.config.CalicoConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The checked settings of {@link ProfileWorker}.
 *
 * @param inFlight transactions in flight at once
 * @param backoffMin first pause after etcd fails
 * @param backoffMax longest pause
 */
public record WorkerSettings(int inFlight, Duration backoffMin, Duration backoffMax) {

  /**
   * Checks {@code config}.
   *
   * @throws IllegalStateException naming every bad setting
   */
  public static WorkerSettings from(CalicoConfig.Worker config) {
    List<String> problems = new ArrayList<>();
    if (config.maxTxnOps() < 3) {
      problems.add("calico.worker.max-txn-ops must be at least 3 (one profile)");
    }
    if (config.inFlight() < 1) {
      problems.add("calico.worker.in-flight must be at least 1");
    }
    if (!positive(config.backoffMin()) || config.backoffMax().compareTo(config.backoffMin()) < 0) {
      problems.add("calico.worker.backoff-min must be positive and at most backoff-max");
    }
    if (config.drainTimeout().isNegative()) {
      problems.add("calico.worker.drain-timeout must not be negative");
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "invalid worker configuration:\n  - " + String.join("\n  - ", problems));
    }
    return new WorkerSettings(config.inFlight(), config.backoffMin(), config.backoffMax());
  }

  private static boolean positive(Duration duration) {
    return !duration.isNegative() && !duration.isZero();
  }
}
