package io.calicowebhook.admission;

import io.calicowebhook.pod.PodMeta;
import java.util.Optional;

/**
 * What {@link Validator} decided: the response, and the pod to announce as {@link PodAccepted}
 * (present only for an allowed Pod CREATE or UPDATE that is not a dry run).
 */
record Validation(AdmissionResponse response, Optional<PodMeta> accepted) {}
