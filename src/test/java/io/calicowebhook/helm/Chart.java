package io.calicowebhook.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Renders the chart with real Helm (helm-java, in-process) and parses what it renders. */
final class Chart {
  static final Path DIR = Path.of("helm", "calico-policy-webhook");
  static final String RELEASE = "cpw";
  static final String NAMESPACE = "webhooks";
  static final String ETCD = "https://etcd-0.etcd:2379";

  /**
   * The cluster version renders assume unless told ({@code --kube-version}): the newest tested.
   * Without it Helm's library assumes 1.20, below the chart's kubeVersion; the helm command line
   * assumes the version of the client-go it was built with (1.34 for Helm 3.19 and 3.20).
   */
  static final String KUBERNETES = "1.34.1";

  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private final Map<String, Object> values = new LinkedHashMap<>();
  private String namespace = NAMESPACE;
  private String kubernetesVersion = KUBERNETES;
  private Path valuesFile;

  private Chart() {}

  /** The chart with the one value that has no default (etcd endpoints). */
  static Chart withEtcd() {
    return bare().set("etcd.endpoints", ETCD);
  }

  /** The chart with its defaults only. */
  static Chart bare() {
    return new Chart();
  }

  Chart set(String key, Object value) {
    values.put(key, value);
    return this;
  }

  /** Values as a file (-f), for what --set cannot say in helm-java, such as lists. */
  Chart withValues(String yaml) {
    try {
      valuesFile = Files.createTempFile("values", ".yaml");
      valuesFile.toFile().deleteOnExit();
      Files.writeString(valuesFile, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  Chart inNamespace(String namespace) {
    this.namespace = namespace;
    return this;
  }

  /** The cluster's version as Helm sees it ({@code .Capabilities.KubeVersion}), e.g. 1.27.3. */
  Chart onKubernetes(String version) {
    this.kubernetesVersion = version;
    return this;
  }

  /** helm template; throws IllegalStateException with Helm's message when rendering fails. */
  String renderText() {
    FakeApiServer.get();
    TemplateCommand template =
        new Helm(DIR)
            .template()
            .withName(RELEASE)
            .withNamespace(namespace)
            .withKubeVersion(kubernetesVersion);
    if (valuesFile != null) {
      template.withValuesFile(valuesFile);
    }
    values.forEach(template::set);
    return template.call();
  }

  /**
   * helm template of a copy of the chart whose hooks are ordinary objects: helm-java's template
   * leaves hooks out. In the copy the annotation {@code helm.sh/hook} is spelled {@link
   * #HOOK_STAND_IN}; {@link #parse} spells it back.
   */
  private String renderHooksText() {
    Path copy = chartWithVisibleHooks();
    FakeApiServer.get();
    TemplateCommand template =
        new Helm(copy)
            .template()
            .withName(RELEASE)
            .withNamespace(namespace)
            .withKubeVersion(kubernetesVersion);
    if (valuesFile != null) {
      template.withValuesFile(valuesFile);
    }
    values.forEach(template::set);
    return template.call();
  }

  private static final String HOOK = "helm.sh/hook";
  private static final String HOOK_STAND_IN = "chart-test.calicowebhook.io/hook";
  private static Path visibleHooksChart;

  private static synchronized Path chartWithVisibleHooks() {
    if (visibleHooksChart != null) {
      return visibleHooksChart;
    }
    try {
      Path copy = Files.createTempDirectory("chart-hooks").resolve(DIR.getFileName());
      try (var paths = Files.walk(DIR)) {
        for (Path source : paths.toList()) {
          Path target = copy.resolve(DIR.relativize(source).toString());
          if (Files.isDirectory(source)) {
            Files.createDirectories(target);
          } else {
            String text = Files.readString(source);
            Files.writeString(target, text.replace(HOOK + ":", HOOK_STAND_IN + ":"));
          }
        }
      }
      visibleHooksChart = copy;
      return copy;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What an installation creates: every object but the hooks. */
  Manifests render() {
    return parse(renderText(), null);
  }

  /** Only the {@code helm test} hooks, which an installation does not create. */
  Manifests renderTestHooks() {
    return renderHooks("test");
  }

  /**
   * Only the hooks that run on this event ({@code test}, {@code pre-delete}, ...: one of the
   * comma-separated events of their {@code helm.sh/hook} annotation).
   */
  Manifests renderHooks(String event) {
    return parse(renderHooksText(), event);
  }

  /** The objects of the text: the hooks of this event, or with null the objects that are none. */
  private Manifests parse(String text, String hookEvent) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : DOCUMENT_SEPARATOR.split(text)) {
      if (!isBlank(document)) {
        HasMetadata object = SERIALIZATION.unmarshal(document, HasMetadata.class);
        Map<String, String> annotations = object.getMetadata().getAnnotations();
        if (annotations != null && annotations.containsKey(HOOK_STAND_IN)) {
          annotations.put(HOOK, annotations.remove(HOOK_STAND_IN));
        }
        List<String> events = hookEvents(object);
        if (hookEvent == null ? events.isEmpty() : events.contains(hookEvent)) {
          objects.add(object);
        }
      }
    }
    return new Manifests(objects, namespace);
  }

  private static List<String> hookEvents(HasMetadata object) {
    Map<String, String> annotations = object.getMetadata().getAnnotations();
    String hook = annotations == null ? null : annotations.get(HOOK);
    return hook == null
        ? List.of()
        : Arrays.stream(hook.split(",")).map(String::strip).filter(e -> !e.isEmpty()).toList();
  }

  private static boolean isBlank(String document) {
    return document.lines().map(String::strip).allMatch(l -> l.isEmpty() || l.startsWith("#"));
  }
}
