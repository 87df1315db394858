package io.calicowebhook.worker;

import io.calicowebhook.observe.FailClosedPods;
import io.calicowebhook.observe.PodLog;
import io.calicowebhook.pod.PodKey;
import io.calicowebhook.pod.PodMeta;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.jboss.logging.Logger;

/**
 * Reports each pod's {@link PolicyProblem} once per pod (uid), reason and subject: logged, and
 * handed to the event sink (Kubernetes Events in a cluster). The worker and the resync meet the
 * same broken pod again and again; the log and the pod's events say it once. Remembers one problem
 * per pod, forgotten when the pod is gone, and at most {@link #MAX_REMEMBERED} in all.
 */
public final class ProblemReports {
  static final int MAX_REMEMBERED = 100_000;
  private static final Logger LOG = Logger.getLogger(ProblemReports.class);

  private final Map<PodKey, Integer> reported = new ConcurrentHashMap<>();
  private final BiConsumer<PodMeta, PolicyProblem> sink;
  private volatile FailClosedPods failClosed;

  /**
   * @param sink where each new problem goes besides the log (an Event recorder), never blocking
   */
  public ProblemReports(BiConsumer<PodMeta, PolicyProblem> sink) {
    this.sink = sink;
  }

  /** Problems only logged: without a Kubernetes API there is nowhere to record Events. */
  public static ProblemReports logOnly() {
    return new ProblemReports((pod, problem) -> {});
  }

  /** Counts the pods with a problem, as they are now, in {@code pods} from here on. */
  public ProblemReports countingIn(FailClosedPods pods) {
    this.failClosed = pods;
    return this;
  }

  /**
   * Reports {@code problem} of {@code pod} unless it was already reported; the pod counts as
   * fail-closed either way.
   */
  public void report(PodMeta pod, PolicyProblem problem) {
    FailClosedPods pods = failClosed;
    if (pods != null) {
      pods.mark(pod.key(), problem.reason());
    }
    int signature = Objects.hash(pod.uid(), problem.reason(), problem.subject());
    Integer before = reported.put(pod.key(), signature);
    if (before != null && before == signature) {
      return;
    }
    if (reported.size() > MAX_REMEMBERED) {
      reported.clear(); // at worst a problem is reported once more
    }
    PodLog.with(
        pod.key(),
        () -> {
          LOG.warnf("pod %s: %s: %s", pod.key(), problem.reason(), problem.message());
          try {
            sink.accept(pod, problem);
          } catch (RuntimeException e) {
            LOG.warnf("pod %s: cannot record its %s event: %s", pod.key(), problem.reason(), e);
          }
        });
  }

  /** The pod gets the profile its policy asks for: no longer fail-closed. */
  public void fine(PodKey key) {
    FailClosedPods pods = failClosed;
    if (pods != null) {
      pods.clear(key);
    }
  }

  /** The pod is gone: a pod of the same name later is reported anew. */
  public void forget(PodKey key) {
    reported.remove(key);
    fine(key);
  }
}
