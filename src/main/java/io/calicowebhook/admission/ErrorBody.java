package io.calicowebhook.admission;

/** The body of every 4xx (and the unexpected 5xx): {@code {"error": "..."}}. */
record ErrorBody(String error) {}
