package io.calicowebhook.admission;

/** An incoming {@code AdmissionReview}: only apiVersion, kind and request are read. */
record Review(String apiVersion, String kind, ReviewRequest request) {
  public static final String KIND = "AdmissionReview";
  public static final String V1 = "admission.k8s.io/v1";
  public static final String V1BETA1 = "admission.k8s.io/v1beta1";
}
