package io.calicowebhook.pod;

/** A pod's namespace and name; its profile id derives from it ({@code profile.Escaping}). */
public record PodKey(String namespace, String name) {

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
