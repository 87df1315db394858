package io.calicowebhook.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import io.calicowebhook.pod.WorkloadKind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.ReplicationControllerBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchCondition;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The webhooks' matchConditions, as the kube-apiserver evaluates them: each CEL expression the
 * chart renders is compiled with the variables the API server declares for admission webhooks
 * ({@code object}, {@code oldObject}, {@code request}) and run against real objects of every kind
 * the webhooks are registered for, serialized as the API server hands them over (JSON). A pod or
 * workload whose pods carry no policy annotation is never sent, so that an outage of the webhook
 * cannot block it.
 */
class ChartMatchConditionsTest {
  private static final String KEY = "projectcalico.org/policy";
  private static final String LEGACY = "policy";
  private static final String POLICY = "allow tcp to ports 80";
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The variables of Kubernetes' admission CEL environment, all dynamic here. */
  private static final Cel CEL =
      CelFactory.standardCelBuilder()
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("object", SimpleType.DYN)
          .addVar("oldObject", SimpleType.DYN)
          .addVar("request", SimpleType.DYN)
          .build();

  private static CelRuntime.Program validating;
  private static CelRuntime.Program mutating;

  @BeforeAll
  static void compileTheRenderedConditions() throws Exception {
    Manifests manifests = Chart.withEtcd().render();
    validating =
        compile(
            onlyCondition(
                manifests
                    .one(ValidatingWebhookConfiguration.class)
                    .getWebhooks()
                    .get(0)
                    .getMatchConditions()));
    mutating =
        compile(
            onlyCondition(
                manifests
                    .one(MutatingWebhookConfiguration.class)
                    .getWebhooks()
                    .get(0)
                    .getMatchConditions()));
  }

  // --- what is sent ------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(WorkloadKind.class)
  void sendsEveryKindWhosePodsCarryThePolicy(WorkloadKind kind) throws Exception {
    Map<String, Object> object = json(workload(kind, Map.of(KEY, POLICY), null));
    assertTrue(validates(kind, "CREATE", object, null));
    assertTrue(validates(kind, "UPDATE", object, object));
    assertFalse(mutates(kind, "CREATE", object), "only the legacy key is rewritten");
  }

  @ParameterizedTest
  @EnumSource(WorkloadKind.class)
  void sendsTheLegacyKeyToBothWebhooks(WorkloadKind kind) throws Exception {
    Map<String, Object> object = json(workload(kind, Map.of(LEGACY, POLICY), null));
    assertTrue(validates(kind, "CREATE", object, null));
    assertTrue(mutates(kind, "CREATE", object));
    assertTrue(mutates(kind, "UPDATE", object));
  }

  @ParameterizedTest
  @EnumSource(WorkloadKind.class)
  void sendsAnUpdateThatRemovesThePolicy(WorkloadKind kind) throws Exception {
    Map<String, Object> before = json(workload(kind, Map.of(KEY, "allow tcp to ports 80,Y"), null));
    Map<String, Object> after = json(workload(kind, Map.of("team", "net"), null));
    assertTrue(validates(kind, "UPDATE", after, before), "the old object held the policy");
    assertFalse(mutates(kind, "UPDATE", after), "nothing left to rewrite");
  }

  // --- what is not sent --------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(WorkloadKind.class)
  void neverSendsAnObjectWhosePodsCarryNoPolicy(WorkloadKind kind) throws Exception {
    for (Map<String, String> annotations :
        List.of(Map.<String, String>of(), Map.of("team", "net", "projectcalico.org/other", "x"))) {
      Map<String, Object> object = json(workload(kind, annotations, null));
      assertFalse(validates(kind, "CREATE", object, null), annotations::toString);
      assertFalse(validates(kind, "UPDATE", object, object), annotations::toString);
      assertFalse(mutates(kind, "CREATE", object), annotations::toString);
    }
  }

  @ParameterizedTest
  @EnumSource(WorkloadKind.class)
  void neverSendsAnObjectWithoutAnnotationsAtAll(WorkloadKind kind) throws Exception {
    Map<String, Object> object = json(workload(kind, null, null));
    assertFalse(at(object, kind.templatePath()).containsKey("annotations"), object::toString);
    assertFalse(validates(kind, "CREATE", object, null));
    assertFalse(validates(kind, "UPDATE", object, object));
    assertFalse(mutates(kind, "CREATE", object));
  }

  @ParameterizedTest
  @EnumSource(WorkloadKind.class)
  void neverSendsAnObjectWhoseAnnotationsAreNull(WorkloadKind kind) throws Exception {
    Map<String, Object> object = json(workload(kind, null, null));
    at(object, kind.templatePath()).put("annotations", NullValue.NULL_VALUE);
    assertFalse(validates(kind, "CREATE", object, null));
    assertFalse(validates(kind, "UPDATE", object, object));
    assertFalse(mutates(kind, "CREATE", object));
  }

  @ParameterizedTest
  @EnumSource(
      value = WorkloadKind.class,
      mode = EnumSource.Mode.EXCLUDE,
      names = {"POD"})
  void neverSendsAWorkloadThatCarriesThePolicyOnlyOnItsOwnMetadata(WorkloadKind kind)
      throws Exception {
    Map<String, Object> object =
        json(workload(kind, Map.of("team", "net"), Map.of(KEY, POLICY, LEGACY, POLICY)));
    assertFalse(validates(kind, "CREATE", object, null));
    assertFalse(validates(kind, "UPDATE", object, object));
    assertFalse(mutates(kind, "CREATE", object));
  }

  /** The promise to operators: with the webhook down, such a pod is created as if it were not. */
  @Test
  void aPodWithoutThePolicyAnnotationsIsNotSentSoAnOutageCannotBlockIt() throws Exception {
    Map<String, Object> pod =
        json(
            new PodBuilder()
                .withMetadata(
                    new ObjectMetaBuilder()
                        .withName("web-7d4b9c6f5-x2x4k")
                        .withNamespace("production")
                        .withLabels(Map.of("app", "web"))
                        .withAnnotations(Map.of("kubectl.kubernetes.io/restartedAt", "now"))
                        .build())
                .withSpec(podSpec())
                .build());
    assertFalse(validates(WorkloadKind.POD, "CREATE", pod, null));
    assertFalse(mutates(WorkloadKind.POD, "CREATE", pod));
  }

  @Test
  void judgesAWorkloadByItsPodTemplateNotByAnotherKindsPath() throws Exception {
    // A Deployment's template at a CronJob's place would not be its pods' template.
    Map<String, Object> deployment = json(workload(WorkloadKind.DEPLOYMENT, null, null));
    Map<String, Object> cronJob = json(workload(WorkloadKind.CRON_JOB, Map.of(KEY, POLICY), null));
    cronJob.put("kind", "Deployment");
    assertFalse(validates(WorkloadKind.DEPLOYMENT, "CREATE", deployment, null));
    assertFalse(validates(WorkloadKind.DEPLOYMENT, "CREATE", cronJob, null));
  }

  // --- which clusters get them -------------------------------------------------------------------

  static Stream<Arguments> renderings() {
    return Stream.of(
        Arguments.of("1.34.1", "auto", true),
        Arguments.of("1.28.0", "auto", true),
        Arguments.of("1.27.9", "auto", false),
        Arguments.of("1.25.0", "auto", false),
        Arguments.of("1.27.9", "true", true),
        Arguments.of("1.34.1", "false", false));
  }

  @ParameterizedTest(name = "Kubernetes {0}, matchConditions {1}")
  @MethodSource("renderings")
  void rendersMatchConditionsFromTheClustersVersionUnlessTold(
      String version, String setting, boolean rendered) {
    Manifests manifests =
        Chart.withEtcd().onKubernetes(version).set("webhook.matchConditions", setting).render();
    List<MatchCondition> validate =
        manifests
            .one(ValidatingWebhookConfiguration.class)
            .getWebhooks()
            .get(0)
            .getMatchConditions();
    List<MatchCondition> mutate =
        manifests.one(MutatingWebhookConfiguration.class).getWebhooks().get(0).getMatchConditions();
    assertEquals(rendered ? 1 : 0, validate.size(), validate::toString);
    assertEquals(rendered ? 1 : 0, mutate.size(), mutate::toString);
  }

  @Test
  void refusesClustersOlderThanTheChartIsTestedOn() {
    IllegalStateException failure =
        assertThrows(
            IllegalStateException.class, () -> Chart.withEtcd().onKubernetes("1.24.17").render());
    assertTrue(failure.getMessage().contains("kubeVersion"), failure::getMessage);
  }

  @Test
  void refusesAMatchConditionsSettingItDoesNotKnow() {
    IllegalStateException failure =
        assertThrows(
            IllegalStateException.class,
            () -> Chart.withEtcd().set("webhook.matchConditions", "sometimes").render());
    assertTrue(failure.getMessage().contains("matchConditions"), failure::getMessage);
  }

  // --- evaluation --------------------------------------------------------------------------------

  private static String onlyCondition(List<MatchCondition> conditions) {
    assertEquals(1, conditions.size(), conditions::toString);
    return conditions.get(0).getExpression();
  }

  private static CelRuntime.Program compile(String expression) throws Exception {
    var result = CEL.compile(expression);
    assertFalse(result.hasError(), () -> result.getErrorString() + "\n" + expression);
    return CEL.createProgram(result.getAst());
  }

  private static boolean validates(
      WorkloadKind kind, String operation, Map<String, Object> object, Map<String, Object> old)
      throws Exception {
    return eval(validating, kind, operation, object, old);
  }

  private static boolean mutates(WorkloadKind kind, String operation, Map<String, Object> object)
      throws Exception {
    return eval(mutating, kind, operation, object, operation.equals("UPDATE") ? object : null);
  }

  /** One admission call: the variables as the API server binds them (oldObject null on CREATE). */
  private static boolean eval(
      CelRuntime.Program program,
      WorkloadKind kind,
      String operation,
      Map<String, Object> object,
      Map<String, Object> old)
      throws Exception {
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("uid", "705ab4f5-6393-11e8-b7cc-42010a800002");
    request.put(
        "kind", Map.of("group", kind.group(), "version", kind.version(), "kind", kind.kind()));
    request.put(
        "resource",
        Map.of("group", kind.group(), "version", kind.version(), "resource", kind.resource()));
    request.put("namespace", "production");
    request.put("operation", operation);
    request.put("userInfo", Map.of("username", "admin"));
    Map<String, Object> variables = new LinkedHashMap<>();
    variables.put("object", object);
    variables.put("oldObject", old == null ? NullValue.NULL_VALUE : old);
    variables.put("request", request);
    Object result = program.eval(variables);
    return assertInstanceOf(Boolean.class, result, () -> "not a bool: " + result);
  }

  // --- objects -----------------------------------------------------------------------------------

  /**
   * A real object of the kind: its pods' annotations where that kind keeps its pod template (a
   * Pod's own), and, on workloads, annotations of its own.
   */
  private static HasMetadata workload(
      WorkloadKind kind, Map<String, String> podAnnotations, Map<String, String> ownAnnotations) {
    ObjectMeta own =
        new ObjectMetaBuilder()
            .withName("web")
            .withNamespace("production")
            .withLabels(Map.of("app", "web"))
            .withAnnotations(ownAnnotations)
            .build();
    PodTemplateSpec template =
        new PodTemplateSpecBuilder()
            .withNewMetadata()
            .withLabels(Map.of("app", "web"))
            .withAnnotations(podAnnotations)
            .endMetadata()
            .withSpec(podSpec())
            .build();
    var selector = Map.of("app", "web");
    return switch (kind) {
      case POD ->
          new PodBuilder()
              .withMetadata(new ObjectMetaBuilder(own).withAnnotations(podAnnotations).build())
              .withSpec(podSpec())
              .build();
      case DEPLOYMENT ->
          new DeploymentBuilder()
              .withMetadata(own)
              .withNewSpec()
              .withNewSelector()
              .withMatchLabels(selector)
              .endSelector()
              .withTemplate(template)
              .endSpec()
              .build();
      case REPLICA_SET ->
          new ReplicaSetBuilder()
              .withMetadata(own)
              .withNewSpec()
              .withNewSelector()
              .withMatchLabels(selector)
              .endSelector()
              .withTemplate(template)
              .endSpec()
              .build();
      case STATEFUL_SET ->
          new StatefulSetBuilder()
              .withMetadata(own)
              .withNewSpec()
              .withServiceName("web")
              .withNewSelector()
              .withMatchLabels(selector)
              .endSelector()
              .withTemplate(template)
              .endSpec()
              .build();
      case DAEMON_SET ->
          new DaemonSetBuilder()
              .withMetadata(own)
              .withNewSpec()
              .withNewSelector()
              .withMatchLabels(selector)
              .endSelector()
              .withTemplate(template)
              .endSpec()
              .build();
      case JOB ->
          new JobBuilder().withMetadata(own).withNewSpec().withTemplate(template).endSpec().build();
      case CRON_JOB ->
          new CronJobBuilder()
              .withMetadata(own)
              .withNewSpec()
              .withSchedule("*/5 * * * *")
              .withNewJobTemplate()
              .withNewSpec()
              .withTemplate(template)
              .endSpec()
              .endJobTemplate()
              .endSpec()
              .build();
      case REPLICATION_CONTROLLER ->
          new ReplicationControllerBuilder()
              .withMetadata(own)
              .withNewSpec()
              .withSelector(selector)
              .withTemplate(template)
              .endSpec()
              .build();
      case POD_TEMPLATE ->
          new PodTemplateBuilder().withMetadata(own).withTemplate(template).build();
    };
  }

  private static PodSpec podSpec() {
    return new PodSpecBuilder()
        .addNewContainer()
        .withName("web")
        .withImage("nginx:1.27")
        .addNewPort()
        .withContainerPort(80)
        .endPort()
        .endContainer()
        .build();
  }

  /** The object as JSON, the way the API server hands it to CEL: maps, lists, strings, ints. */
  private static Map<String, Object> json(HasMetadata object) throws Exception {
    Map<String, Object> tree =
        JSON.readValue(SERIALIZATION.asJson(object), new TypeReference<Map<String, Object>>() {});
    assertEquals(object.getKind(), tree.get("kind"));
    return celValues(tree);
  }

  @SuppressWarnings("unchecked")
  private static <T> T celValues(T value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put((String) k, celValues(v)));
      return (T) copy;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>();
      list.forEach(v -> copy.add(celValues(v)));
      return (T) copy;
    }
    if (value instanceof Integer i) {
      return (T) Long.valueOf(i);
    }
    if (value == null) {
      return (T) NullValue.NULL_VALUE;
    }
    return value;
  }

  /** The map at a path of field names (the pod template's metadata for a workload). */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> at(Map<String, Object> object, List<String> templatePath) {
    Map<String, Object> here = object;
    for (String field : templatePath) {
      here = (Map<String, Object>) here.get(field);
    }
    return (Map<String, Object>) here.get("metadata");
  }
}
