package io.calicowebhook.admission;

import io.calicowebhook.pod.PodMeta;

/**
 * CDI event fired by {@code /validate} for every Pod it allows on CREATE or UPDATE, never for a dry
 * run. Observers must return at once: they run on the admission's thread.
 */
public record PodAccepted(PodMeta pod) {}
