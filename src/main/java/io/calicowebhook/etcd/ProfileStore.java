package io.calicowebhook.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.calicowebhook.etcd.StoredProfile.StoredKey;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Calico v1 profiles in etcd, written only where the service owns them (SPEC section 5).
 *
 * <p>{@link #write} reads every key of a group of profiles in one transaction, decides per profile
 * ({@link ProfileChange}), and writes only what differs in one more transaction guarded on every
 * key's mod revision as read, so a concurrent change by anyone else makes the write retry rather
 * than overwrite. A group holds at most {@code maxTxnOps / 3} profiles: up to three puts and three
 * guards each, within etcd's {@code --max-txn-ops}. Groups are sent at once; nothing blocks.
 */
public final class ProfileStore {
  /** Operations one profile can need in one transaction: rules, tags and ownership record. */
  public static final int OPS_PER_PROFILE = 3;

  private static final int CONFLICT_ATTEMPTS = 3;
  private static final GetOption PREFIX = GetOption.builder().isPrefix(true).build();

  private final KV kv;
  private final int profilesPerTxn;
  private final Duration timeout;
  private final Timer txnTimer;

  /**
   * @param kv etcd's key-value client
   * @param maxTxnOps the most operations per transaction (etcd's {@code --max-txn-ops})
   * @param timeout how long one transaction may take
   * @param metrics where the transaction latency timer {@code calico.etcd.txn} is registered
   */
  public ProfileStore(KV kv, int maxTxnOps, Duration timeout, MeterRegistry metrics) {
    if (maxTxnOps < OPS_PER_PROFILE) {
      throw new IllegalArgumentException("max-txn-ops must be at least " + OPS_PER_PROFILE);
    }
    this.kv = kv;
    this.profilesPerTxn = maxTxnOps / OPS_PER_PROFILE;
    this.timeout = timeout;
    this.txnTimer =
        Timer.builder("calico.etcd.txn")
            .description("Latency of one etcd transaction of the profile store")
            .publishPercentileHistogram()
            .register(metrics);
  }

  /** How many profiles go into one transaction. */
  public int profilesPerTxn() {
    return profilesPerTxn;
  }

  /**
   * Brings {@code profiles} to their desired values, except foreign ones.
   *
   * @return what happened to each profile id; fails (and may have written some groups) when etcd
   *     fails or keeps changing under the write
   */
  public CompletableFuture<Map<String, WriteResult>> write(List<DesiredProfile> profiles) {
    List<DesiredProfile> unique = List.copyOf(lastPerId(profiles).values());
    List<CompletableFuture<Map<String, WriteResult>>> groups = new ArrayList<>();
    for (int from = 0; from < unique.size(); from += profilesPerTxn) {
      groups.add(writeGroup(unique.subList(from, Math.min(unique.size(), from + profilesPerTxn))));
    }
    return CompletableFuture.allOf(groups.toArray(CompletableFuture[]::new))
        .thenApply(done -> merge(groups));
  }

  /**
   * Deletes profile {@code id} (every key under its directory) and its ownership record, only when
   * the ownership record exists.
   */
  public CompletableFuture<DeleteResult> deleteOwned(String id) {
    Cmp owned = new Cmp(bytes(EtcdKeys.owner(id)), Cmp.Op.GREATER, CmpTarget.version(0));
    Op deleteProfile =
        Op.delete(bytes(EtcdKeys.profileDir(id)), DeleteOption.builder().isPrefix(true).build());
    Op deleteOwner = Op.delete(bytes(EtcdKeys.owner(id)), DeleteOption.DEFAULT);
    return timed(() -> kv.txn().If(owned).Then(deleteProfile, deleteOwner).commit())
        .thenApply(r -> r.isSucceeded() ? DeleteResult.DELETED : DeleteResult.NOT_OWNED);
  }

  private CompletableFuture<Map<String, WriteResult>> writeGroup(List<DesiredProfile> group) {
    return writeGroup(group, CONFLICT_ATTEMPTS);
  }

  private CompletableFuture<Map<String, WriteResult>> writeGroup(
      List<DesiredProfile> group, int attemptsLeft) {
    return read(group)
        .thenCompose(
            stored -> {
              Map<String, ProfileChange> changes = new LinkedHashMap<>();
              for (int i = 0; i < group.size(); i++) {
                changes.put(group.get(i).id(), ProfileChange.decide(group.get(i), stored.get(i)));
              }
              return commit(changes.values())
                  .thenCompose(applied -> settle(group, changes, applied, attemptsLeft));
            });
  }

  private CompletableFuture<Map<String, WriteResult>> settle(
      List<DesiredProfile> group,
      Map<String, ProfileChange> changes,
      boolean applied,
      int attemptsLeft) {
    if (applied) {
      Map<String, WriteResult> results = new LinkedHashMap<>();
      changes.forEach((id, change) -> results.put(id, change.result()));
      return CompletableFuture.completedFuture(results);
    }
    if (attemptsLeft > 1) {
      return writeGroup(group, attemptsLeft - 1);
    }
    return CompletableFuture.failedFuture(
        new ConcurrentModificationException(
            "profiles kept changing in etcd during " + CONFLICT_ATTEMPTS + " attempts"));
  }

  private CompletableFuture<List<StoredProfile>> read(List<DesiredProfile> group) {
    List<Op> gets = new ArrayList<>();
    for (DesiredProfile profile : group) {
      gets.add(Op.get(bytes(EtcdKeys.profileDir(profile.id())), PREFIX));
      gets.add(Op.get(bytes(EtcdKeys.owner(profile.id())), GetOption.DEFAULT));
    }
    return timed(() -> kv.txn().Then(gets.toArray(Op[]::new)).commit())
        .thenApply(response -> stored(group, response));
  }

  private static List<StoredProfile> stored(List<DesiredProfile> group, TxnResponse response) {
    List<GetResponse> gets = response.getGetResponses();
    List<StoredProfile> stored = new ArrayList<>();
    for (int i = 0; i < group.size(); i++) {
      String id = group.get(i).id();
      Map<String, StoredKey> dir = byKey(gets.get(2 * i));
      stored.add(
          new StoredProfile(
              dir.getOrDefault(EtcdKeys.rules(id), StoredKey.ABSENT),
              dir.getOrDefault(EtcdKeys.tags(id), StoredKey.ABSENT),
              byKey(gets.get(2 * i + 1)).getOrDefault(EtcdKeys.owner(id), StoredKey.ABSENT)));
    }
    return stored;
  }

  private static Map<String, StoredKey> byKey(GetResponse get) {
    Map<String, StoredKey> keys = new LinkedHashMap<>();
    for (KeyValue kv : get.getKvs()) {
      keys.put(
          kv.getKey().toString(UTF_8),
          new StoredKey(kv.getValue().toString(UTF_8), kv.getModRevision()));
    }
    return keys;
  }

  /** Applies every change in one transaction; false when a guard no longer holds. */
  private CompletableFuture<Boolean> commit(Iterable<ProfileChange> changes) {
    List<Cmp> guards = new ArrayList<>();
    List<Op> puts = new ArrayList<>();
    for (ProfileChange change : changes) {
      if (change.puts().isEmpty()) {
        continue;
      }
      change.guards().forEach((key, rev) -> guards.add(modRevisionIs(key, rev)));
      change
          .puts()
          .forEach((key, value) -> puts.add(Op.put(bytes(key), bytes(value), PutOption.DEFAULT)));
    }
    if (puts.isEmpty()) {
      return CompletableFuture.completedFuture(true);
    }
    return timed(
            () -> kv.txn().If(guards.toArray(Cmp[]::new)).Then(puts.toArray(Op[]::new)).commit())
        .thenApply(TxnResponse::isSucceeded);
  }

  private static Cmp modRevisionIs(String key, long revision) {
    return new Cmp(bytes(key), Cmp.Op.EQUAL, CmpTarget.modRevision(revision));
  }

  private <T> CompletableFuture<T> timed(Supplier<CompletableFuture<T>> call) {
    Timer.Sample sample = Timer.start();
    return call.get()
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((result, error) -> sample.stop(txnTimer));
  }

  private static Map<String, DesiredProfile> lastPerId(List<DesiredProfile> profiles) {
    Map<String, DesiredProfile> byId = new LinkedHashMap<>();
    profiles.forEach(profile -> byId.put(profile.id(), profile));
    return byId;
  }

  private static Map<String, WriteResult> merge(
      List<CompletableFuture<Map<String, WriteResult>>> groups) {
    Map<String, WriteResult> all = new LinkedHashMap<>();
    groups.forEach(group -> all.putAll(group.join()));
    return all;
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, UTF_8);
  }
}
