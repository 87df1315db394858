package io.calicowebhook.profile;

/** A pod's namespace and name; the profile id derives from it. */
public record PodKey(String namespace, String name) {
  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
