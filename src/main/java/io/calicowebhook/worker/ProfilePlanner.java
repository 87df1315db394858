package io.calicowebhook.worker;

import io.calicowebhook.etcd.TxnLimits;
import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.pod.PolicyAnnotations;
import io.calicowebhook.policy.PolicyError;
import io.calicowebhook.profile.InvalidPolicyException;
import io.calicowebhook.profile.Profile;
import io.calicowebhook.profile.ProfileBuilder;
import io.calicowebhook.store.DesiredProfile;
import io.calicowebhook.store.Owner;
import java.util.List;
import java.util.Optional;

/**
 * What etcd should hold for a pod, failing closed. Pure: used alike by the worker, which writes it,
 * and by the resync, which compares it with etcd.
 *
 * <ul>
 *   <li>a host-network pod: no profile ({@link None});
 *   <li>a pod whose policy does not parse: a profile with no inbound rules, never a broader one,
 *       and the problem to report;
 *   <li>a profile too large for one etcd transaction: the same fail-closed profile (without the
 *       label tags if even that is too large), and the problem to report;
 *   <li>otherwise the pod's profile.
 * </ul>
 */
public final class ProfilePlanner {
  private final ProfileBuilder builder;
  private final TxnLimits limits;

  public ProfilePlanner(ProfileBuilder builder, TxnLimits limits) {
    this.builder = builder;
    this.limits = limits;
  }

  /** What a pod should have in etcd. */
  public sealed interface Desire {}

  /** Write {@code profile}; {@code problem} says why it is fail-closed, when it is. */
  public record Write(DesiredProfile profile, Optional<PolicyProblem> problem) implements Desire {}

  /** The pod has no profile (host network): an owned one goes. */
  public record None() implements Desire {}

  private static final None NONE = new None();

  /** The desired state of {@code pod}. */
  public Desire desire(PodMeta pod) {
    Optional<Profile> built;
    try {
      built = builder.build(pod);
    } catch (InvalidPolicyException e) {
      return closed(pod, invalid(pod, e.errors().stream().map(PolicyError::message).toList()));
    } catch (RuntimeException e) {
      return closed(pod, invalid(pod, List.of(String.valueOf(e.getMessage()))));
    }
    if (built.isEmpty()) {
      return NONE;
    }
    DesiredProfile desired = desiredOf(built.get(), pod);
    int bytes = desired.bytes();
    if (bytes > limits.maxBytes()) {
      return closed(pod, PolicyProblem.tooLarge(bytes, limits.maxBytes(), policy(pod)));
    }
    return new Write(desired, Optional.empty());
  }

  /** Whether {@code pod} has a profile at all (host-network pods have none). */
  public boolean wantsProfile(PodMeta pod) {
    return !pod.hostNetwork();
  }

  /** The fail-closed profile of {@code pod} with {@code problem}, whatever else it asks for. */
  public Write closed(PodMeta pod, PolicyProblem problem) {
    DesiredProfile closed = desiredOf(builder.failClosed(pod, true), pod);
    if (closed.bytes() > limits.maxBytes()) {
      closed = desiredOf(builder.failClosed(pod, false), pod);
    }
    return new Write(closed, Optional.of(problem));
  }

  private static DesiredProfile desiredOf(Profile profile, PodMeta pod) {
    return DesiredProfile.of(profile, new Owner(pod.uid(), pod.namespace(), pod.name()));
  }

  private static PolicyProblem invalid(PodMeta pod, List<String> errors) {
    String key = PolicyAnnotations.effectiveKey(pod.annotations()).orElse(PolicyAnnotations.KEY);
    return PolicyProblem.invalidPolicy(key, pod.annotations().get(key), errors);
  }

  /** The pod's effective policy value, empty when it has none. */
  static String policy(PodMeta pod) {
    return PolicyAnnotations.effectiveKey(pod.annotations()).map(pod.annotations()::get).orElse("");
  }
}
