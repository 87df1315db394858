package io.calicowebhook.reconciler;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A Pod as the informer reads it: only {@code metadata} (without {@code managedFields}, the largest
 * part of a listed pod) and {@code spec.hostNetwork}; everything else of the JSON is skipped while
 * reading, never built into objects. Read as a plain bean ({@link JsonDeserializer.None}), not
 * through fabric8's kind-dispatching reader, which first builds a JSON tree of the whole pod.
 */
@Group("")
@Version("v1")
@Kind("Pod")
@Plural("pods")
@Singular("pod")
@JsonDeserialize(using = JsonDeserializer.None.class)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class SlimPod implements HasMetadata, Namespaced {
  @JsonIgnoreProperties(
      value = {"managedFields", "ownerReferences", "finalizers"},
      ignoreUnknown = true)
  private ObjectMeta metadata;

  private Spec spec;

  /** {@code spec}, of which only {@code hostNetwork} matters here. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static final class Spec {
    private Boolean hostNetwork;

    public Spec() {}

    public Spec(Boolean hostNetwork) {
      this.hostNetwork = hostNetwork;
    }

    public Boolean getHostNetwork() {
      return hostNetwork;
    }

    public void setHostNetwork(Boolean hostNetwork) {
      this.hostNetwork = hostNetwork;
    }
  }

  public SlimPod() {}

  public SlimPod(ObjectMeta metadata, Spec spec) {
    this.metadata = metadata;
    this.spec = spec;
  }

  @Override
  public ObjectMeta getMetadata() {
    return metadata;
  }

  @Override
  public void setMetadata(ObjectMeta metadata) {
    this.metadata = metadata;
  }

  public Spec getSpec() {
    return spec;
  }

  public void setSpec(Spec spec) {
    this.spec = spec;
  }

  @Override
  public String getApiVersion() {
    return "v1";
  }

  @Override
  public void setApiVersion(String version) {
    // always v1
  }

  @Override
  public String getKind() {
    return "Pod";
  }

  /** Whether the pod uses the host network. */
  boolean hostNetwork() {
    return spec != null && Boolean.TRUE.equals(spec.getHostNetwork());
  }
}
