package io.calicowebhook.worker;

import io.calicowebhook.pod.PodKey;
import io.calicowebhook.profile.Escaping;
import org.jboss.logging.MDC;

/**
 * The same fields on every log line about a pod: {@code podNamespace}, {@code podName} and {@code
 * profileId} in the MDC while the line is logged, so that JSON logs ({@code LOG_JSON=true}) carry
 * them as fields of their own, whatever the message says.
 */
public final class PodLog {
  public static final String NAMESPACE = "podNamespace";
  public static final String NAME = "podName";
  public static final String PROFILE = "profileId";

  private PodLog() {}

  /** Runs {@code log} with {@code pod}'s fields in the MDC, and the MDC as it was after. */
  public static void with(PodKey pod, Runnable log) {
    Object namespace = MDC.put(NAMESPACE, pod.namespace());
    Object name = MDC.put(NAME, pod.name());
    Object profile = MDC.put(PROFILE, Escaping.profileId(pod.namespace(), pod.name()));
    try {
      log.run();
    } finally {
      restore(NAMESPACE, namespace);
      restore(NAME, name);
      restore(PROFILE, profile);
    }
  }

  private static void restore(String key, Object before) {
    if (before == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, before);
    }
  }
}
