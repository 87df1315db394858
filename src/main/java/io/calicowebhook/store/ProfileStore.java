package io.calicowebhook.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.calicowebhook.etcd.EtcdErrors;
import io.calicowebhook.etcd.EtcdKeys;
import io.calicowebhook.etcd.TxnLimits;
import io.calicowebhook.store.StoredProfile.StoredKey;
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
 * <p>{@link #apply} cuts the operations into groups that fit one transaction ({@link TxnLimits}:
 * operations and bytes) and writes each group optimistically: it decides per profile from what it
 * last saw in etcd ({@link KnownProfiles}; a profile never seen is taken as absent) and sends one
 * transaction guarded on those revisions; only when a guard fails does it read every key of the
 * group (one more transaction, at one revision) and decide again from that. So a new pod or a known
 * profile takes one round trip, with no read before it, and the transaction carries only its guards
 * and writes: a failure branch that read the group back would be in every transaction's raft entry,
 * and lower etcd's write rate (bench/profile-throughput). Decisions ({@link ProfileChange}) write
 * only what differs, guarded on every key's mod revision as read, so a concurrent change by anyone
 * else makes the group re-read rather than overwrite. Groups are sent at once; nothing blocks.
 *
 * <p>A group that etcd refuses for itself (too large, a guard that keeps failing) is split in
 * halves until the profile at fault stands alone, so one bad profile never holds back the others:
 * alone it ends as {@link WriteResult#TOO_LARGE} or {@link WriteResult#FAILED}. A failure of etcd
 * itself (unreachable, timeout, its space quota full, too many requests, a leader change: {@link
 * io.calicowebhook.etcd.EtcdFailure#isolates()} is false) fails the whole call, for the caller to
 * retry later: it never singles out a profile.
 *
 * <p>Every transaction that writes also compares the writer's {@link Fence}: the mod revision of
 * the term record its replica wrote on taking the lead ({@link #takeTerm}). A replica deposed by
 * another (whose term record moved the revision) can then never commit again; its call fails with
 * {@link FenceLostException} and nothing of it is written.
 */
public final class ProfileStore implements ProfileWriter {
  private static final int CONFLICT_ATTEMPTS = 3;
  private static final GetOption PREFIX = GetOption.builder().isPrefix(true).build();
  private static final DeleteOption DELETE_PREFIX = DeleteOption.builder().isPrefix(true).build();

  private final KV kv;
  private final TxnLimits limits;
  private final Duration timeout;
  private final Timer txnTimer;
  private final OwnRevisions own;
  private final KnownProfiles known;

  /** What {@link #apply} did: a result per profile id, and why each FAILED one failed. */
  public record Applied(Map<String, WriteResult> results, Map<String, String> failures) {
    static Applied of(Map<String, WriteResult> results) {
      return new Applied(results, Map.of());
    }

    Applied plus(Applied other) {
      Map<String, WriteResult> allResults = new LinkedHashMap<>(results);
      allResults.putAll(other.results);
      Map<String, String> allFailures = new LinkedHashMap<>(failures);
      allFailures.putAll(other.failures);
      return new Applied(allResults, allFailures);
    }
  }

  /**
   * @param kv etcd's key-value client
   * @param limits what one transaction may hold
   * @param timeout how long one transaction may take
   * @param metrics where the transaction latency timer {@code calico.etcd.txn} is registered
   * @param own where the revision of each committed write is recorded
   */
  public ProfileStore(
      KV kv, TxnLimits limits, Duration timeout, MeterRegistry metrics, OwnRevisions own) {
    this(kv, limits, timeout, metrics, own, new KnownProfiles());
  }

  /**
   * @param known what the store last saw of each profile, shared with the scan and the watch
   */
  public ProfileStore(
      KV kv,
      TxnLimits limits,
      Duration timeout,
      MeterRegistry metrics,
      OwnRevisions own,
      KnownProfiles known) {
    this.known = known;
    this.kv = kv;
    this.limits = limits;
    this.timeout = timeout;
    this.own = own;
    this.txnTimer =
        Timer.builder("calico.etcd.txn")
            .description("Latency of one etcd transaction of the profile store")
            .publishPercentileHistogram()
            .register(metrics);
  }

  /** What the store last saw of each profile; a scan may teach it, a watch make it forget. */
  public KnownProfiles known() {
    return known;
  }

  /** What one transaction may hold. */
  @Override
  public TxnLimits limits() {
    return limits;
  }

  /**
   * Begins a term for {@code holder}: writes the term record, whose mod revision becomes the fence
   * of every write of the term. From then on, the writes of every earlier term, this replica's own
   * or another's, fail.
   */
  public CompletableFuture<Fence> takeTerm(String holder) {
    String record =
        "{\"holder\":" + jsonString(holder) + ",\"since\":\"" + java.time.Instant.now() + "\"}";
    return timed(() -> kv.put(bytes(EtcdKeys.TERM), bytes(record)))
        .thenApply(put -> new Fence(put.getHeader().getRevision(), holder));
  }

  private static String jsonString(String text) {
    StringBuilder json = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') {
        json.append('\\').append(c);
      } else if (c < 0x20) {
        json.append(String.format("\\u%04x", (int) c));
      } else {
        json.append(c);
      }
    }
    return json.append('"').toString();
  }

  /**
   * Carries out {@code ops}, only while {@code fence} holds; for one id only the last operation
   * counts.
   *
   * @return what happened to each profile id; fails (and may have applied some groups) when etcd
   *     fails as a whole, and with {@link FenceLostException} once another term began
   */
  @Override
  public CompletableFuture<Applied> apply(List<ProfileOp> ops, Fence fence) {
    Map<String, WriteResult> tooLarge = new LinkedHashMap<>();
    List<ProfileOp> fitting = new ArrayList<>();
    for (ProfileOp op : lastPerId(ops)) {
      if (TxnCost.fits(limits, op)) {
        fitting.add(op);
      } else {
        tooLarge.put(op.id(), WriteResult.TOO_LARGE);
      }
    }
    List<CompletableFuture<Applied>> groups = new ArrayList<>();
    groups.add(CompletableFuture.completedFuture(Applied.of(tooLarge)));
    group(fitting).forEach(group -> groups.add(applyGroup(group, fence)));
    return CompletableFuture.allOf(groups.toArray(CompletableFuture[]::new))
        .thenApply(
            done ->
                groups.stream().map(CompletableFuture::join).reduce(Applied::plus).orElseThrow());
  }

  /** Brings {@code profiles} to their desired values, except foreign ones. */
  public CompletableFuture<Map<String, WriteResult>> write(List<DesiredProfile> profiles) {
    List<ProfileOp> puts = profiles.stream().<ProfileOp>map(ProfileOp.Put::new).toList();
    return apply(puts).thenApply(Applied::results);
  }

  /** Deletes profile {@code id} and its ownership record, only when the record exists. */
  public CompletableFuture<WriteResult> deleteOwned(String id) {
    return apply(List.of(new ProfileOp.Remove(id))).thenApply(done -> done.results().get(id));
  }

  /**
   * Cuts {@code ops} into groups within the operation and byte limits, in order; one comparison and
   * one read of each transaction are kept for the term record.
   */
  List<List<ProfileOp>> group(List<ProfileOp> ops) {
    List<List<ProfileOp>> groups = new ArrayList<>();
    List<ProfileOp> current = new ArrayList<>();
    int maxOps = limits.maxOps() - 1;
    int opCount = 0;
    int reads = 0;
    long bytes = 0;
    for (ProfileOp op : ops) {
      int opOps = TxnCost.ops(op);
      int opBytes = TxnCost.bytes(op);
      boolean full =
          opCount + opOps > maxOps || reads + 2 > maxOps || bytes + opBytes > limits.maxBytes();
      if (full && !current.isEmpty()) {
        groups.add(current);
        current = new ArrayList<>();
        opCount = 0;
        reads = 0;
        bytes = 0;
      }
      current.add(op);
      opCount += opOps;
      reads += 2;
      bytes += opBytes;
    }
    if (!current.isEmpty()) {
      groups.add(current);
    }
    return groups;
  }

  private CompletableFuture<Applied> applyGroup(List<ProfileOp> group, Fence fence) {
    return attempt(group, fence, CONFLICT_ATTEMPTS)
        .exceptionallyCompose(error -> isolate(group, fence, EtcdErrors.unwrap(error)));
  }

  /** A group etcd refused for its own sake: halves go on their own; alone, the op has failed. */
  private CompletableFuture<Applied> isolate(List<ProfileOp> group, Fence fence, Throwable error) {
    if (error instanceof FenceLostException || !EtcdErrors.isRequestProblem(error)) {
      return CompletableFuture.failedFuture(error);
    }
    if (group.size() == 1) {
      String id = group.get(0).id();
      boolean size = EtcdErrors.isTooLarge(error);
      return CompletableFuture.completedFuture(
          new Applied(
              Map.of(id, size ? WriteResult.TOO_LARGE : WriteResult.FAILED),
              size ? Map.of() : Map.of(id, EtcdErrors.describe(error))));
    }
    int half = group.size() / 2;
    CompletableFuture<Applied> first = applyGroup(group.subList(0, half), fence);
    CompletableFuture<Applied> second = applyGroup(group.subList(half, group.size()), fence);
    return first.thenCombine(second, Applied::plus);
  }

  /** The first attempt: decisions from what is known, checked by etcd in one transaction. */
  private CompletableFuture<Applied> attempt(List<ProfileOp> group, Fence fence, int attemptsLeft) {
    List<StoredProfile> known = group.stream().map(op -> this.known.view(op.id())).toList();
    return attempt(group, fence, known, false, attemptsLeft);
  }

  /**
   * Decides every operation from {@code stored} and commits in one transaction guarded on the
   * revisions the decisions were made from; when a guard fails, reads what etcd holds now, and the
   * next attempt decides from that.
   *
   * @param fresh whether {@code stored} was just read (then a group that writes nothing is done)
   */
  private CompletableFuture<Applied> attempt(
      List<ProfileOp> group,
      Fence fence,
      List<StoredProfile> stored,
      boolean fresh,
      int attemptsLeft) {
    Map<String, ProfileChange> changes = new LinkedHashMap<>();
    for (int i = 0; i < group.size(); i++) {
      changes.put(group.get(i).id(), ProfileChange.decide(group.get(i), stored.get(i)));
    }
    if (fresh && changes.values().stream().noneMatch(ProfileChange::writes)) {
      return CompletableFuture.completedFuture(results(changes));
    }
    return commit(group, changes, fence)
        .thenCompose(
            response -> {
              if (response.isSucceeded()) {
                remember(group, stored, changes, response);
                return CompletableFuture.completedFuture(results(changes));
              }
              return read(group, fence)
                  .thenCompose(read -> retry(group, fence, read, attemptsLeft));
            });
  }

  private CompletableFuture<Applied> retry(
      List<ProfileOp> group, Fence fence, TxnResponse read, int attemptsLeft) {
    if (fence.guards()) {
      long termNow = termRevision(read.getGetResponses().get(2 * group.size()));
      if (termNow != fence.revision()) {
        return CompletableFuture.failedFuture(new FenceLostException(fence, termNow));
      }
    }
    List<StoredProfile> now = stored(group, read);
    for (int i = 0; i < group.size(); i++) {
      known.read(group.get(i).id(), now.get(i));
    }
    if (attemptsLeft > 1) {
      return attempt(group, fence, now, true, attemptsLeft - 1);
    }
    return CompletableFuture.failedFuture(
        new ConcurrentModificationException(
            "profiles kept changing in etcd during " + CONFLICT_ATTEMPTS + " attempts"));
  }

  /**
   * Reads every key of {@code group} in one transaction, so all at one revision, and the term
   * record after them when {@code fence} guards.
   */
  private CompletableFuture<TxnResponse> read(List<ProfileOp> group, Fence fence) {
    List<Op> gets = reads(group);
    if (fence.guards()) {
      gets.add(Op.get(bytes(EtcdKeys.TERM), GetOption.DEFAULT));
    }
    return timed(() -> kv.txn().Then(gets.toArray(Op[]::new)).commit());
  }

  private static long termRevision(GetResponse get) {
    return get.getKvs().isEmpty() ? 0 : get.getKvs().get(0).getModRevision();
  }

  private void remember(
      List<ProfileOp> group,
      List<StoredProfile> stored,
      Map<String, ProfileChange> changes,
      TxnResponse response) {
    long revision = response.getHeader().getRevision();
    boolean wrote = false;
    for (int i = 0; i < group.size(); i++) {
      String id = group.get(i).id();
      ProfileChange change = changes.get(id);
      if (change.writes()) {
        wrote = true;
        known.committed(id, stored.get(i), change, revision);
      }
    }
    if (wrote) {
      own.add(revision);
    }
  }

  private static Applied results(Map<String, ProfileChange> changes) {
    Map<String, WriteResult> results = new LinkedHashMap<>();
    changes.forEach((id, change) -> results.put(id, change.result()));
    return Applied.of(results);
  }

  /** The gets that return what etcd holds for {@code group}: when a guard fails. */
  private static List<Op> reads(List<ProfileOp> group) {
    List<Op> gets = new ArrayList<>();
    for (ProfileOp op : group) {
      gets.add(Op.get(bytes(EtcdKeys.profileDir(op.id())), PREFIX));
      gets.add(Op.get(bytes(EtcdKeys.owner(op.id())), GetOption.DEFAULT));
    }
    return gets;
  }

  private static List<StoredProfile> stored(List<ProfileOp> group, TxnResponse response) {
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
          StoredKey.read(kv.getValue().toString(UTF_8), kv.getModRevision()));
    }
    return keys;
  }

  /** One transaction: if every decision's guards hold, the writes; otherwise nothing. */
  private CompletableFuture<TxnResponse> commit(
      List<ProfileOp> group, Map<String, ProfileChange> changes, Fence fence) {
    List<Cmp> guards = new ArrayList<>();
    if (fence.guards()) {
      guards.add(modRevisionIs(EtcdKeys.TERM, fence.revision()));
    }
    List<Op> ops = new ArrayList<>();
    changes.forEach(
        (id, change) -> {
          change.guards().forEach((key, rev) -> guards.add(modRevisionIs(key, rev)));
          if (change.writes()) {
            addOps(ops, id, change);
          }
        });
    return timed(
        () -> kv.txn().If(guards.toArray(Cmp[]::new)).Then(ops.toArray(Op[]::new)).commit());
  }

  private static void addOps(List<Op> ops, String id, ProfileChange change) {
    if (change.removeDir()) {
      ops.add(Op.delete(bytes(EtcdKeys.profileDir(id)), DELETE_PREFIX));
      ops.add(Op.delete(bytes(EtcdKeys.owner(id)), DeleteOption.DEFAULT));
    }
    change
        .puts()
        .forEach((key, value) -> ops.add(Op.put(bytes(key), bytes(value), PutOption.DEFAULT)));
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

  private static List<ProfileOp> lastPerId(List<ProfileOp> ops) {
    Map<String, ProfileOp> byId = new LinkedHashMap<>();
    ops.forEach(op -> byId.put(op.id(), op));
    return List.copyOf(byId.values());
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, UTF_8);
  }
}
