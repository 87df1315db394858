package io.calicowebhook.worker;

import io.calicowebhook.pod.PodMeta;

/**
 * What a {@link PodStateSource} knows of one pod: it exists with this state, it is gone, or it is
 * not known (yet). Only "present" writes a profile and only "gone" deletes one; "not known" writes
 * nothing, so a source that has not finished its first listing, or cannot prove that a pod is gone,
 * never deletes anything.
 */
public sealed interface PodState {
  /** The pod exists, as {@code pod}. */
  record Present(PodMeta pod) implements PodState {}

  /**
   * The pod does not exist: its owned profile goes, only while its ownership record names {@code
   * uid}.
   *
   * @param uid the uid of the pod seen deleted, or null when no pod of that name exists at all
   */
  record Gone(String uid) implements PodState {}

  /** Nothing is known of the pod: nothing is written or deleted. */
  record Unknown() implements PodState {}

  /** No pod of that name exists. */
  PodState GONE = new Gone(null);

  PodState UNKNOWN = new Unknown();
}
