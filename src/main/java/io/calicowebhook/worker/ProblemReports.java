package io.calicowebhook.worker;

import io.calicowebhook.pod.PodKey;
import io.calicowebhook.pod.PodMeta;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Reports each pod's {@link PolicyProblem} once per pod (uid), reason and subject: logged, and
 * handed to the {@link ProblemSink} (Kubernetes Events in a cluster). The worker and the resync
 * meet the same broken pod again and again; the log and the pod's events say it once.
 *
 * <p>A problem counts as reported only once the sink confirmed it: one the sink dropped or gave up
 * on is handed over again the next time the pod is met. One being recorded is not handed over
 * twice. A pod met without a problem ({@link #forget}) and broken again later is reported again, as
 * a repeat. Remembers one problem per pod, forgotten when the pod is gone or fine, and at most
 * {@link #MAX_REMEMBERED} in all.
 */
public final class ProblemReports {
  static final int MAX_REMEMBERED = 100_000;
  private static final Logger LOG = Logger.getLogger(ProblemReports.class);

  /** A problem handed to the sink: {@code confirmed} once the sink has recorded it. */
  private record Report(int signature, boolean confirmed) {}

  private final Map<PodKey, Report> reports = new ConcurrentHashMap<>();
  private final ProblemSink sink;
  private volatile FailClosedPods failClosed;

  /**
   * @param sink where each new problem goes besides the log (an Event recorder), never blocking
   */
  public ProblemReports(ProblemSink sink) {
    this.sink = sink;
  }

  /** Problems only logged: without a Kubernetes API there is nowhere to record Events. */
  public static ProblemReports logOnly() {
    return new ProblemReports((pod, problem) -> CompletableFuture.completedFuture(null));
  }

  /** Counts the pods with a problem, as they are now, in {@code pods} from here on. */
  public ProblemReports countingIn(FailClosedPods pods) {
    this.failClosed = pods;
    return this;
  }

  /**
   * Reports {@code problem} of {@code pod} unless it was reported or is being reported; the pod
   * counts as fail-closed either way.
   */
  public void report(PodMeta pod, PolicyProblem problem) {
    FailClosedPods counted = failClosed;
    if (counted != null) {
      counted.mark(pod.key(), problem.reason());
    }
    int signature = Objects.hash(pod.uid(), problem.reason(), problem.subject());
    Report pending = new Report(signature, false);
    boolean[] fresh = {false};
    reports.compute(
        pod.key(),
        (key, before) -> {
          if (before != null && before.signature() == signature) {
            return before;
          }
          fresh[0] = true;
          return pending;
        });
    if (!fresh[0]) {
      return;
    }
    if (reports.size() > MAX_REMEMBERED) {
      reports.clear(); // at worst a problem is reported once more
    }
    PodLog.with(
        pod.key(),
        () -> LOG.warnf("pod %s: %s: %s", pod.key(), problem.reason(), problem.message()));
    CompletionStage<Void> recorded;
    try {
      recorded = sink.record(pod, problem);
    } catch (RuntimeException e) {
      recorded = CompletableFuture.failedFuture(e);
    }
    recorded.whenComplete(
        (done, error) -> {
          if (error == null) {
            reports.replace(pod.key(), pending, new Report(signature, true));
          } else {
            reports.remove(pod.key(), pending);
            PodLog.with(
                pod.key(),
                () ->
                    LOG.debugf(
                        "pod %s: its %s was not recorded (%s); reported again when met again",
                        pod.key(), problem.reason(), error));
          }
        });
  }

  /** Whether {@code problem} of {@code pod} was recorded by the sink (and not forgotten since). */
  public boolean reported(PodMeta pod, PolicyProblem problem) {
    int signature = Objects.hash(pod.uid(), problem.reason(), problem.subject());
    return new Report(signature, true).equals(reports.get(pod.key()));
  }

  /**
   * The pod is gone, or has no problem now: a problem of a pod of the same name later is reported
   * anew, and the pod no longer counts as fail-closed.
   */
  public void forget(PodKey key) {
    reports.remove(key);
    FailClosedPods counted = failClosed;
    if (counted != null) {
      counted.clear(key);
    }
  }
}
