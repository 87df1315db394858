package io.calicowebhook.worker;

import io.calicowebhook.pod.PodMeta;

/**
 * What a {@link PodStateSource} knows of one pod: it exists with this state, it is gone, or it is
 * not known (yet). Only "present" writes a profile and only "gone" deletes one; "not known" writes
 * nothing, so a source that has not finished its first listing never deletes anything.
 */
public sealed interface PodState {
  /** The pod exists, as {@code pod}. */
  record Present(PodMeta pod) implements PodState {}

  /** The pod does not exist: its owned profile goes. */
  record Gone() implements PodState {}

  /** Nothing is known of the pod: nothing is written or deleted. */
  record Unknown() implements PodState {}

  PodState GONE = new Gone();
  PodState UNKNOWN = new Unknown();
}
