package io.calicowebhook.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.calicowebhook.etcd.EtcdErrors;
import io.calicowebhook.etcd.EtcdKeys;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Watches the profile keys and the ownership records in etcd from a revision on, and names every
 * profile id that someone other than the service changed or deleted, so that the reconciler repairs
 * it within seconds instead of at the next resync. Changes the service made itself ({@link
 * OwnRevisions}) are passed over.
 *
 * <p>Any watch failure (etcd gone, the revision compacted) ends the watch and calls {@code
 * onBroken} once: the reconciler then resyncs, which starts a new watch from where its scan read.
 */
public final class DriftWatch implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(DriftWatch.class);

  private final Watch watch;
  private final OwnRevisions own;
  private final Consumer<String> onDrift;
  private final Runnable onBroken;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<Watch.Watcher> watchers;

  private DriftWatch(
      Watch watch, OwnRevisions own, Consumer<String> onDrift, Runnable onBroken, long from) {
    this.watch = watch;
    this.own = own;
    this.onDrift = onDrift;
    this.onBroken = onBroken;
    this.watchers =
        List.of(
            watchPrefix(EtcdKeys.PROFILE_PREFIX, from), watchPrefix(EtcdKeys.OWNER_PREFIX, from));
  }

  /**
   * Starts watching at revision {@code from}.
   *
   * @param onDrift called with the profile id of every change not made by the service
   * @param onBroken called once when the watch fails and has stopped
   */
  public static DriftWatch start(
      Watch watch, OwnRevisions own, long from, Consumer<String> onDrift, Runnable onBroken) {
    return new DriftWatch(watch, own, onDrift, onBroken, from);
  }

  private Watch.Watcher watchPrefix(String prefix, long from) {
    WatchOption option =
        WatchOption.builder().isPrefix(true).withRevision(from).withRequireLeader(true).build();
    return watch.watch(bytes(prefix), option, this::onResponse, this::onError, () -> {});
  }

  private void onResponse(WatchResponse response) {
    for (WatchEvent event : response.getEvents()) {
      if (!own.contains(event.getKeyValue().getModRevision())) {
        idOf(event.getKeyValue().getKey().toString(UTF_8)).ifPresent(onDrift);
      }
    }
  }

  private void onError(Throwable error) {
    if (closed.compareAndSet(false, true)) {
      LOG.infof("etcd watch of profiles ended (%s); a resync follows", EtcdErrors.describe(error));
      watchers.forEach(Watch.Watcher::close);
      onBroken.run();
    }
  }

  /** The profile id a watched key belongs to. */
  static java.util.Optional<String> idOf(String key) {
    if (key.startsWith(EtcdKeys.OWNER_PREFIX)) {
      String id = key.substring(EtcdKeys.OWNER_PREFIX.length());
      return id.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(id);
    }
    if (key.startsWith(EtcdKeys.PROFILE_PREFIX)) {
      String rest = key.substring(EtcdKeys.PROFILE_PREFIX.length());
      int slash = rest.indexOf('/');
      return slash > 0
          ? java.util.Optional.of(rest.substring(0, slash))
          : java.util.Optional.empty();
    }
    return java.util.Optional.empty();
  }

  /** Stops watching; no callback runs afterwards. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      watchers.forEach(Watch.Watcher::close);
    }
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, UTF_8);
  }
}
