package io.calicowebhook.reconciler;

import io.calicowebhook.pod.PodKey;
import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.profile.Escaping;
import io.calicowebhook.store.DesiredProfile;
import io.calicowebhook.store.Owner;
import io.calicowebhook.store.ProfileScan;
import io.calicowebhook.worker.PolicyProblem;
import io.calicowebhook.worker.ProfilePlanner;
import io.calicowebhook.worker.ProfilePlanner.Desire;
import io.calicowebhook.worker.ProfilePlanner.Write;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * <p>A resync that would delete more than {@code maxDeleteShare} of the owned profiles at once (and
 * more than {@link #DELETE_FLOOR}) holds those deletes: a cache that lost pods, not a cluster that
 * lost them, is the likely cause, and a missing profile cuts a healthy pod's traffic while a
 * lingering one does no harm. Held deletes are logged and reported, and queued only when the next
 * resync finds the same profiles orphaned again. (Each delete is confirmed once more by the worker,
 * which asks the API server.)
 *
 * <p>Holds one map entry per pod (its key to the cached state: no profile id, no profile values),
 * what the etcd scan holds (a page of profile keys and one of ownership records) and the ids of the
 * orphaned profiles at a time.
 */
public final class Resync {
  private static final Logger LOG = Logger.getLogger(Resync.class);

  /** Up to this many orphans are deleted whatever their share. */
  static final int DELETE_FLOOR = 10;

  private final ProfilePlanner desired;
  private final ProfileScan scan;
  private final double maxDeleteShare;
  private final Consumer<String> onHeld;
  private Set<String> held = Set.of();
  private volatile int heldCount;
  private volatile Consumer<Map<PodKey, PolicyProblem.Reason>> onFailClosed = found -> {};

  public Resync(ProfilePlanner desired, ProfileScan scan) {
    this(desired, scan, 1.0, message -> {});
  }

  /**
   * @param maxDeleteShare the largest share of owned profiles deleted at once
   * @param onHeld told, in a sentence, when deletes are held
   */
  public Resync(
      ProfilePlanner desired, ProfileScan scan, double maxDeleteShare, Consumer<String> onHeld) {
    this.desired = desired;
    this.scan = scan;
    this.maxDeleteShare = maxDeleteShare;
    this.onHeld = onHeld;
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
      int held,
      long revision,
      Duration took) {

    /** The one INFO line of a resync. */
    public String line() {
      return String.format(
          "resync: %d pods seen; profiles: %d created, %d updated, %d deleted, %d unchanged,"
              + " %d foreign, %d deletes held; %d ms (etcd revision %d)",
          pods, created, updated, deleted, unchanged, foreign, held, took.toMillis(), revision);
    }
  }

  /**
   * Hands each completed resync's fail-closed pods (owned profiles whose pod's policy gets the
   * fail-closed profile) to {@code listener}.
   */
  public void onFailClosed(Consumer<Map<PodKey, PolicyProblem.Reason>> listener) {
    this.onFailClosed = listener;
  }

  /** Profiles whose deletes the last resync held. */
  public int held() {
    return heldCount;
  }

  /**
   * Compares {@code pods} with etcd and hands the key of every pod whose profile differs to {@code
   * queue}.
   *
   * @throws IllegalStateException when etcd cannot be read (nothing is queued past that point)
   */
  public synchronized Report run(Collection<PodMeta> pods, Consumer<PodKey> queue) {
    long start = System.nanoTime();
    PodsByProfile byId = new PodsByProfile(pods);
    Counts counts = new Counts();
    long revision = scan.scan(stored -> compare(stored, byId.take(stored.id()), counts, queue));
    byId.forEachLeft(
        pod -> {
          if (desired.wantsProfile(pod)) {
            counts.created++;
            queue.accept(pod.key());
          }
        });
    int heldNow = deleteOrphans(counts, queue);
    onFailClosed.accept(counts.failClosed);
    return new Report(
        pods.size(),
        counts.created,
        counts.updated,
        counts.deleted,
        counts.unchanged,
        counts.foreign,
        heldNow,
        revision,
        Duration.ofNanos(System.nanoTime() - start));
  }

  /**
   * Queues the orphans' deletes, or holds them when they are too many at once: then only those the
   * last resync held too are queued.
   *
   * @return how many are held
   */
  private int deleteOrphans(Counts counts, Consumer<PodKey> queue) {
    List<String> orphans = counts.orphans;
    long limit = Math.max(DELETE_FLOOR, (long) Math.floor(maxDeleteShare * counts.owned));
    if (orphans.size() <= limit) {
      orphans.forEach(id -> queueOrphan(id, counts, queue));
      held = Set.of();
      heldCount = 0;
      return 0;
    }
    Set<String> before = held;
    Set<String> now = new HashSet<>();
    for (String id : orphans) {
      if (before.contains(id)) {
        queueOrphan(id, counts, queue); // orphaned in two resyncs in a row: confirmed
      } else {
        now.add(id);
      }
    }
    held = now;
    heldCount = now.size();
    if (!now.isEmpty()) {
      String message =
          String.format(
              "resync found %d of %d owned profiles without a pod (more than %.0f%%): their"
                  + " deletes are held until the next resync finds them orphaned again; check"
                  + " that the pod informer sees every pod",
              orphans.size(), counts.owned, maxDeleteShare * 100);
      LOG.warn(message);
      onHeld.accept(message);
    }
    return now.size();
  }

  private void compare(
      ProfileScan.Stored stored, PodMeta pod, Counts counts, Consumer<PodKey> queue) {
    if (!stored.owned()) {
      if (pod != null && desired.wantsProfile(pod)) {
        counts.foreign++;
      }
      return;
    }
    counts.owned++;
    if (pod == null) {
      counts.orphans.add(stored.id());
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
    write.problem().ifPresent(problem -> counts.failClosed.put(pod.key(), problem.reason()));
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

  private static void queueOrphan(String id, Counts counts, Consumer<PodKey> queue) {
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
    int owned;
    final List<String> orphans = new ArrayList<>();
    final Map<PodKey, PolicyProblem.Reason> failClosed = new HashMap<>();
  }
}
