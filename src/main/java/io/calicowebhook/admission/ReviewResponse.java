package io.calicowebhook.admission;

/** The outgoing {@code AdmissionReview}: the request's apiVersion echoed, with a response. */
record ReviewResponse(String apiVersion, String kind, AdmissionResponse response) {
  public ReviewResponse(String apiVersion, AdmissionResponse response) {
    this(apiVersion, Review.KIND, response);
  }
}
