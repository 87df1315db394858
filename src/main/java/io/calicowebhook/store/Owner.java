package io.calicowebhook.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;

/**
 * The pod a profile was created for: the value of the service's ownership record {@code
 * /calico-policy-webhook/v1/profiles/<id>}, e.g. {@code
 * {"uid":"6b1f...","namespace":"production","name":"pod1"}}.
 */
public record Owner(String uid, String namespace, String name) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The ownership record's value. */
  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an owner record", e);
    }
  }

  /** Reads an ownership record; empty when it is not one (never throws). */
  public static Optional<Owner> parse(String json) {
    if (json == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(json, Owner.class));
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }
}
