package io.calicowebhook.worker;

import io.calicowebhook.pod.PodMeta;
import java.util.concurrent.CompletionStage;

/** Where a pod's problem is recorded besides the log (Kubernetes Events in a cluster). */
@FunctionalInterface
public interface ProblemSink {
  /**
   * Records {@code problem} of {@code pod} in the background, never blocking.
   *
   * @return completes once the problem is recorded; fails when it was not (dropped, refused, given
   *     up), so that it is reported again when the pod is met again
   */
  CompletionStage<Void> record(PodMeta pod, PolicyProblem problem);
}
