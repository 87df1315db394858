package io.calicowebhook.reconciler;

import io.calicowebhook.pod.PodKey;
import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.profile.Escaping;
import io.calicowebhook.store.DesiredProfile;
import io.calicowebhook.store.Owner;
import io.calicowebhook.store.ProfileScan;
import io.calicowebhook.worker.ProfilePlanner;
import io.calicowebhook.worker.ProfilePlanner.Desire;
import io.calicowebhook.worker.ProfilePlanner.Write;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Compares the desired profile of every pod (every namespace, including kube-system and the ones
 * the webhook skips) with what etcd holds, read page by page at one revision, and queues only the
 * differences for the worker:
 *
 * <ul>
 *   <li>a pod without a profile: to create;
 *   <li>an owned profile whose rules, tags or owner differ: to update;
 *   <li>an owned profile whose pod no longer exists, exists with another uid, or needs none: to
 *       delete (the worker writes a fresh profile for a pod of the same name and new uid);
 *   <li>a profile that exists without an ownership record: foreign, counted, never queued.
 * </ul>
 *
 * <p>Holds one map entry per pod (id to the cached state, no profile values) and one page of etcd
 * values at a time.
 */
public final class Resync {
  private static final Logger LOG = Logger.getLogger(Resync.class);

  private final ProfilePlanner desired;
  private final ProfileScan scan;

  public Resync(ProfilePlanner desired, ProfileScan scan) {
    this.desired = desired;
    this.scan = scan;
  }

  /**
   * What one resync found and queued.
   *
   * @param revision the etcd revision it read at
   */
  public record Report(
      int pods,
      int created,
      int updated,
      int deleted,
      int unchanged,
      int foreign,
      long revision,
      Duration took) {

    /** The one INFO line of a resync. */
    public String line() {
      return String.format(
          "resync: %d pods seen; profiles: %d created, %d updated, %d deleted, %d unchanged,"
              + " %d foreign; %d ms (etcd revision %d)",
          pods, created, updated, deleted, unchanged, foreign, took.toMillis(), revision);
    }
  }

  /**
   * Compares {@code pods} with etcd and hands the key of every pod whose profile differs to {@code
   * queue}.
   *
   * @throws IllegalStateException when etcd cannot be read (nothing is queued past that point)
   */
  public Report run(Collection<PodMeta> pods, Consumer<PodKey> queue) {
    long start = System.nanoTime();
    Map<String, PodMeta> byId = new HashMap<>(pods.size() * 2);
    pods.forEach(pod -> byId.put(Escaping.profileId(pod.namespace(), pod.name()), pod));
    Counts counts = new Counts();
    long revision = scan.scan(stored -> compare(stored, byId.remove(stored.id()), counts, queue));
    for (PodMeta pod : byId.values()) {
      if (desired.wantsProfile(pod)) {
        counts.created++;
        queue.accept(pod.key());
      }
    }
    return new Report(
        pods.size(),
        counts.created,
        counts.updated,
        counts.deleted,
        counts.unchanged,
        counts.foreign,
        revision,
        Duration.ofNanos(System.nanoTime() - start));
  }

  private void compare(
      ProfileScan.Stored stored, PodMeta pod, Counts counts, Consumer<PodKey> queue) {
    if (!stored.owned()) {
      if (pod != null && desired.wantsProfile(pod)) {
        counts.foreign++;
      }
      return;
    }
    if (pod == null) {
      orphan(stored.id(), counts, queue);
    } else {
      compareOwned(stored, pod, counts, queue);
    }
  }

  /** An owned profile whose pod exists: unchanged, or queued to update, recreate or delete. */
  private void compareOwned(
      ProfileScan.Stored stored, PodMeta pod, Counts counts, Consumer<PodKey> queue) {
    Desire desire = desired.desire(pod);
    if (!(desire instanceof Write write)) {
      counts.deleted++;
      queue.accept(pod.key());
      return;
    }
    DesiredProfile profile = write.profile();
    Optional<Owner> owner = Owner.parse(stored.ownerJson());
    if (owner.isPresent() && !owner.get().uid().equals(profile.owner().uid())) {
      counts.deleted++;
      counts.created++;
      queue.accept(pod.key());
    } else if (profile.rulesJson().equals(stored.rules())
        && profile.tagsJson().equals(stored.tags())
        && owner.filter(profile.owner()::equals).isPresent()) {
      counts.unchanged++;
    } else {
      counts.updated++;
      queue.accept(pod.key());
    }
  }

  private static void orphan(String id, Counts counts, Consumer<PodKey> queue) {
    Optional<PodKey> key = Escaping.podOf(id);
    if (key.isEmpty()) {
      LOG.warnf("owned profile %s names no pod (not <namespace>_<name>); left alone", id);
      return;
    }
    counts.deleted++;
    queue.accept(key.get());
  }

  private static final class Counts {
    int created;
    int updated;
    int deleted;
    int unchanged;
    int foreign;
  }
}
