package io.calicowebhook.pod;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WorkloadKindTest {

  @ParameterizedTest
  @CsvSource({
    "POD,                    projectcalico.org/policy,                                            spec.hostNetwork",
    "DEPLOYMENT,             spec.template.metadata.annotations[projectcalico.org/policy],        spec.template.spec.hostNetwork",
    "CRON_JOB,               spec.jobTemplate.spec.template.metadata.annotations[projectcalico.org/policy], spec.jobTemplate.spec.template.spec.hostNetwork",
    "POD_TEMPLATE,           template.metadata.annotations[projectcalico.org/policy],             template.spec.hostNetwork",
    "REPLICATION_CONTROLLER, spec.template.metadata.annotations[projectcalico.org/policy],        spec.template.spec.hostNetwork",
  })
  void namesTheAnnotationAndFieldsWhereTheTemplateIs(
      WorkloadKind kind, String annotation, String hostNetwork) {
    assertEquals(annotation, kind.annotationName("projectcalico.org/policy"));
    assertEquals(hostNetwork, kind.field("spec.hostNetwork"));
  }

  @ParameterizedTest
  @CsvSource({
    "'',    v1,      Pod,                   POD",
    ",      v1,      Pod,                   POD",
    "apps,  v1,      StatefulSet,           STATEFUL_SET",
    "batch, v1,      CronJob,               CRON_JOB",
    "'',    v1,      ReplicationController, REPLICATION_CONTROLLER",
    "batch, v1beta1, CronJob,               ",
    "apps,  v1,      Pod,                   ",
    "'',    v1,      Deployment,            ",
    "apps,  v1,      ControllerRevision,    ",
  })
  void knowsAKindOnlyInItsGroupAndVersion(
      String group, String version, String kind, WorkloadKind expected) {
    assertEquals(Optional.ofNullable(expected), WorkloadKind.of(group, version, kind));
  }

  @ParameterizedTest
  @CsvSource({"batch, CronJob, CRON_JOB", "extensions, Deployment, ", "'', Job, "})
  void knowsAKindInAnyVersionOfItsGroupForFiles(String group, String kind, WorkloadKind expected) {
    assertEquals(Optional.ofNullable(expected), WorkloadKind.of(group, kind));
  }
}
