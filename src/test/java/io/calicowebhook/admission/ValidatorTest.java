package io.calicowebhook.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calicowebhook.pod.PolicyAnnotations;
import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The validating decision without HTTP: the rules that are awkward to reach through fixtures. */
class ValidatorTest {
  private static final GroupVersionKind POD = new GroupVersionKind("", "v1", "Pod");
  private final Validator validator = new Validator();

  private static PodObject pod(Map<String, String> annotations) {
    return new PodObject(new ObjectMeta("p", null, "ns", "uid", null, annotations), null);
  }

  private static ReviewRequest update(PodObject object, PodObject old) {
    return new ReviewRequest("u", POD, null, "UPDATE", null, "ns", "p", object, old);
  }

  @Test
  void cutsThousandsOfParserWarningsToTwenty() {
    String allowAll = String.join("; ", Collections.nCopies(500, "allow"));
    ReviewRequest request =
        new ReviewRequest(
            "u",
            POD,
            null,
            "CREATE",
            null,
            "ns",
            "p",
            pod(Map.of(PolicyAnnotations.KEY, allowAll)),
            null);

    AdmissionResponse response = validator.validate(request).response();

    assertTrue(response.allowed());
    assertEquals(20, response.warnings().size());
    assertEquals("... and 481 more warnings", response.warnings().get(19));
  }

  @Test
  void deniesUpdateThatAddsAnInvalidPolicyToAPodWithout() {
    PodObject old = pod(Map.of());
    PodObject now = pod(Map.of(PolicyAnnotations.KEY, "deny"));

    Validation validation = validator.validate(update(now, old));

    assertFalse(validation.response().allowed());
    assertTrue(validation.accepted().isEmpty());
  }

  @Test
  void allowsUpdateWithUnchangedInvalidPolicyAndAnnouncesIt() {
    PodObject old = pod(Map.of(PolicyAnnotations.LEGACY_KEY, "deny"));
    PodObject now = pod(Map.of(PolicyAnnotations.KEY, "deny"));

    Validation validation = validator.validate(update(now, old));

    assertTrue(validation.response().allowed());
    assertTrue(validation.accepted().isPresent());
  }

  @Test
  void neverAnnouncesAWorkloadItAllows() {
    PodObject template = pod(Map.of(PolicyAnnotations.KEY, "allow"));
    PodObject deployment =
        new PodObject(
            new ObjectMeta("web", null, "ns", "uid", null, null),
            new PodObject.Spec(null, template, null));
    ReviewRequest request =
        new ReviewRequest(
            "u",
            new GroupVersionKind("apps", "v1", "Deployment"),
            null,
            "CREATE",
            null,
            "ns",
            "web",
            deployment,
            null);

    Validation validation = validator.validate(request);

    assertTrue(validation.response().allowed());
    assertTrue(validation.accepted().isEmpty(), "a workload's pods are announced, not itself");
  }

  @Test
  void deniesUpdateAddingABrokenTemplateWhereThereWasNone() {
    PodObject broken = pod(Map.of(PolicyAnnotations.KEY, "deny"));
    PodObject now = new PodObject(null, new PodObject.Spec(null, broken, null));
    PodObject old = new PodObject(null, null);
    ReviewRequest request =
        new ReviewRequest(
            "u",
            new GroupVersionKind("apps", "v1", "Deployment"),
            null,
            "UPDATE",
            null,
            "ns",
            "web",
            now,
            old);

    assertFalse(validator.validate(request).response().allowed());
  }

  @Test
  void refusesPodCreateWithoutObjectAsBadInput() {
    ReviewRequest request =
        new ReviewRequest("u", POD, null, "CREATE", null, "ns", "p", null, null);

    BadInputException e = assertThrows(BadInputException.class, () -> validator.validate(request));

    assertEquals(400, e.status());
  }
}
