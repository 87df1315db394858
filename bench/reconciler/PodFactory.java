import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.pod.PolicyAnnotations;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Pods as a Deployment's ReplicaSet creates them and the kubelet reports them: by default 40
 * namespaces of 10 Deployments each, 8 labels, a policy on 3 Deployments of 5, two managedFields
 * entries, a last-applied-configuration, two containers with probes, env, resources and mounts, and
 * a Running status. Another {@link Layout} spreads them otherwise ({@code bench/scale}).
 */
final class PodFactory {
  private static final com.fasterxml.jackson.databind.ObjectMapper TEXT =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /**
   * Pod {@code i} of the reconciler bench's layout: 40 namespaces, 10 Deployments, 60 % policies.
   */
  static final Layout RECONCILER =
      new Layout(
          40,
          "team-%02d",
          10,
          (pod, deployment) -> PodFactory.POLICIES[deployment % PodFactory.POLICIES.length],
          false);

  /**
   * How pods spread over namespaces and Deployments, and which Deployments have a policy.
   *
   * @param namespaces pod {@code i} is in namespace {@code i % namespaces}
   * @param namespaceFormat its name, formatted from that number
   * @param deployments pod {@code i} is of Deployment {@code (i / namespaces) % deployments} there
   * @param policy the policy of pod {@code i} of a Deployment (null: none)
   * @param indexedNames name suffixes from {@code i} (unique) rather than at random
   */
  record Layout(
      int namespaces,
      String namespaceFormat,
      int deployments,
      PolicyOf policy,
      boolean indexedNames) {}

  /** The policy annotation of one pod. */
  interface PolicyOf {
    /** Pod {@code i}'s, of Deployment {@code deployment} in its namespace; null: none. */
    String of(int i, int deployment);
  }

  private static final String[] APPS = {
    "frontend",
    "checkout",
    "cart",
    "catalog",
    "payments",
    "search",
    "ratings",
    "shipping",
    "accounts",
    "notifications"
  };
  static final String[] POLICIES = {
    null,
    null,
    "allow tcp from label app=frontend to ports 8080; allow tcp from label"
        + " app.kubernetes.io/name=prometheus to ports 9090",
    "allow tcp to ports 80,443; allow icmp type 8",
    "allow tcp from cidr 10.0.0.0/8 to ports 5432; allow tcp from label tier=backend to ports"
        + " 5432,6432"
  };
  private final String template;
  private final Layout layout;

  PodFactory() {
    this(RECONCILER);
  }

  PodFactory(Layout layout) {
    this.layout = layout;
    try {
      template = compact(Files.readString(Path.of("bench/reconciler/pod-template.json")));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("run from the project's root directory", e);
    }
  }

  /** Pod {@code i}: its JSON as the API server stores it. */
  String json(int i, long resourceVersion) {
    Random random = new Random(i);
    int namespace = i % layout.namespaces();
    int deployment = (i / layout.namespaces()) % layout.deployments();
    String app = APPS[deployment % APPS.length];
    String hash = hex(new Random(namespace * 100L + deployment), 10);
    String policy = layout.policy().of(i, deployment);
    String suffix = layout.indexedNames() ? indexed(i / layout.namespaces(), 5) : alnum(random, 5);
    Map<String, String> values = new LinkedHashMap<>();
    values.put("NAMESPACE", String.format(layout.namespaceFormat(), namespace));
    values.put("APP", app);
    values.put("HASH", hash);
    values.put("NAME", app + "-" + hash + "-" + suffix);
    values.put("UID", new UUID(random.nextLong(), random.nextLong()).toString());
    values.put("RS_UID", new UUID(hash.hashCode(), namespace).toString());
    values.put("RV", Long.toString(resourceVersion));
    values.put("TIER", deployment < 3 ? "frontend" : "backend");
    String lastApplied = quoted(lastApplied(app, values.get("NAMESPACE")));
    values.put("LAST_APPLIED", lastApplied.substring(1, lastApplied.length() - 1));
    values.put("POD_IP", "10.244." + (i / 250 % 250) + "." + (i % 250 + 2));
    values.put("NODE", "node-" + (i % 50));
    values.put("NODE_IP", Integer.toString(i % 50 + 10));
    values.put("CONTAINER_ID", hex(random, 64));
    values.put("SIDECAR_ID", hex(random, 64));
    String text = template;
    if (policy != null) {
      text =
          text.replace(
              "\"annotations\":{",
              "\"annotations\":{\"projectcalico.org/policy\":" + quoted(policy) + ",");
    }
    for (Map.Entry<String, String> value : values.entrySet()) {
      text = text.replace("${" + value.getKey() + "}", value.getValue());
    }
    return text;
  }

  /** A small pod in team-00 that the bench patches to see the end of a watch replay. */
  String sentinel() {
    String text =
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"bench-sentinel\","
            + "\"namespace\":\"team-00\",\"uid\":\""
            + UUID.randomUUID()
            + "\","
            + "\"labels\":{\"mark\":\"none\"}},\"spec\":{\"containers\":"
            + "[{\"name\":\"c\",\"image\":\"busybox\"}]}}";
    return text;
  }

  private static String lastApplied(String app, String namespace) {
    return compact(
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"annotations\":{},\"labels\":"
            + "{\"app\":\""
            + app
            + "\",\"tier\":\"backend\"},\"name\":\""
            + app
            + "\","
            + "\"namespace\":\""
            + namespace
            + "\"},\"spec\":{\"containers\":[{\"image\":"
            + "\"registry.example.com/shop/"
            + app
            + ":1.4.2\",\"name\":\""
            + app
            + "\",\"ports\":"
            + "[{\"containerPort\":8080,\"name\":\"http\"}],\"resources\":{\"requests\":"
            + "{\"cpu\":\"250m\",\"memory\":\"256Mi\"}}}]}}");
  }

  private static String compact(String json) {
    try {
      return TEXT.readTree(json).toString();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("bad pod template: " + e.getMessage(), e);
    }
  }

  private static String quoted(String text) {
    try {
      return TEXT.writeValueAsString(text);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(Random random, int length) {
    StringBuilder text = new StringBuilder();
    while (text.length() < length) {
      text.append(Character.forDigit(random.nextInt(16), 16));
    }
    return text.toString();
  }

  private static final String NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";

  /** {@code number} in {@code length} digits of the characters a ReplicaSet names pods with. */
  private static String indexed(int number, int length) {
    StringBuilder text = new StringBuilder();
    int rest = number;
    while (text.length() < length) {
      text.append(NAME_CHARS.charAt(rest % NAME_CHARS.length()));
      rest /= NAME_CHARS.length();
    }
    return text.toString();
  }

  private static String alnum(Random random, int length) {
    String chars = NAME_CHARS;
    StringBuilder text = new StringBuilder();
    while (text.length() < length) {
      text.append(chars.charAt(random.nextInt(chars.length())));
    }
    return text.toString();
  }

  /** The pod as PodCache keeps it: identity, labels, the policy annotations, hostNetwork. */
  static PodMeta meta(GenericKubernetesResource pod) {
    Map<String, String> annotations = new HashMap<>();
    for (String key : List.of(PolicyAnnotations.KEY, PolicyAnnotations.LEGACY_KEY)) {
      String value = pod.getMetadata().getAnnotations().get(key);
      if (value != null) {
        annotations.put(key, value);
      }
    }
    return new PodMeta(
        pod.getMetadata().getNamespace(),
        pod.getMetadata().getName(),
        pod.getMetadata().getUid(),
        pod.getMetadata().getLabels(),
        annotations,
        false); // none of the generated pods uses the host network
  }

  static PodMeta renamed(PodMeta pod, String namespace) {
    return new PodMeta(
        namespace,
        pod.namespace() + "-" + pod.name(),
        pod.uid(),
        pod.labels(),
        pod.annotations(),
        pod.hostNetwork());
  }
}
