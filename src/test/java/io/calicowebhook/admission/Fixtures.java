package io.calicowebhook.admission;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.calicowebhook.pod.WorkloadKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.stream.Collectors;

/** Review documents from {@code src/test/resources/admission}, to vary in a test. */
final class Fixtures {
  static final ObjectMapper JSON = new ObjectMapper();

  private Fixtures() {}

  /** {@code review.json} of a fixture case, as a mutable tree. */
  static ObjectNode review(String endpoint, String name) {
    String path = "/admission/" + endpoint + "/" + name + "/review.json";
    try (InputStream in = Fixtures.class.getResourceAsStream(path)) {
      return (ObjectNode) JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A Pod CREATE review whose object has exactly these annotations. */
  static ObjectNode podCreate(Map<String, String> annotations) {
    ObjectNode review = review("validate", "create-without-policy");
    ObjectNode metadata = (ObjectNode) review.at("/request/object/metadata");
    metadata.set("annotations", JSON.valueToTree(annotations));
    return review;
  }

  /**
   * The review of fixture case {@code name} with exactly these annotations in the pod (template) of
   * its object (and of its old object, if any) of kind {@code kind}.
   */
  static ObjectNode withTemplateAnnotations(
      String endpoint, String name, WorkloadKind kind, Map<String, String> annotations) {
    ObjectNode review = review(endpoint, name);
    for (String object : new String[] {"/request/object", "/request/oldObject"}) {
      if (review.at(object).isObject()) {
        ObjectNode metadata = (ObjectNode) review.at(object + pointer(kind) + "/metadata");
        metadata.set("annotations", JSON.valueToTree(annotations));
      }
    }
    return review;
  }

  /** The JSON Pointer of the kind's pod template in its object: "" for a Pod. */
  static String pointer(WorkloadKind kind) {
    return kind.templatePath().stream().map(field -> "/" + field).collect(Collectors.joining());
  }

  static byte[] bytes(Object tree) {
    try {
      return JSON.writeValueAsBytes(tree);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
