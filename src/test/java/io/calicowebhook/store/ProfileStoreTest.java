package io.calicowebhook.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calicowebhook.etcd.EtcdExtension;
import io.calicowebhook.etcd.EtcdKeys;
import io.calicowebhook.etcd.EtcdKv;
import io.calicowebhook.etcd.TxnLimits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The store against a real etcd started by the test. */
class ProfileStoreTest {
  private static final String RULES =
      "{\"id\":\"ns_pod1\",\"inbound_rules\":[{\"action\":\"allow\",\"src_tag\":\"namespace_ns\"}],"
          + "\"outbound_rules\":[{\"action\":\"allow\"}]}";
  private static final String TAGS = "[\"namespace_ns\",\"ns_pod1\"]";
  private static final Owner OWNER = new Owner("uid-1", "ns", "pod1");

  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  private final OwnRevisions own = new OwnRevisions();
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private EtcdKv kv;
  private ProfileStore store;

  @BeforeEach
  void connect() {
    kv = ETCD.kv();
    store = store(new TxnLimits(128, 1_400_000));
  }

  private ProfileStore store(TxnLimits limits) {
    return new ProfileStore(
        ETCD.client().getKVClient(), limits, Duration.ofSeconds(5), metrics, own);
  }

  @Test
  void createsProfileWithOwnershipRecord() {
    assertEquals(Map.of("ns_pod1", WriteResult.CREATED), write(profile(RULES, TAGS, OWNER)));

    assertEquals(RULES, kv.value("/calico/v1/policy/profile/ns_pod1/rules").orElseThrow());
    assertEquals(TAGS, kv.value("/calico/v1/policy/profile/ns_pod1/tags").orElseThrow());
    assertEquals(
        "{\"uid\":\"uid-1\",\"namespace\":\"ns\",\"name\":\"pod1\"}",
        kv.value("/calico-policy-webhook/v1/profiles/ns_pod1").orElseThrow());
  }

  @Test
  void doesNotRewriteUnchangedProfile() {
    write(profile(RULES, TAGS, OWNER));
    long rules = kv.modRevision(EtcdKeys.rules("ns_pod1"));
    long tags = kv.modRevision(EtcdKeys.tags("ns_pod1"));

    assertEquals(Map.of("ns_pod1", WriteResult.UNCHANGED), write(profile(RULES, TAGS, OWNER)));

    assertEquals(rules, kv.modRevision(EtcdKeys.rules("ns_pod1")));
    assertEquals(tags, kv.modRevision(EtcdKeys.tags("ns_pod1")));
  }

  @Test
  void rewritesOnlyTheKeyThatChanged() {
    write(profile(RULES, TAGS, OWNER));
    long rules = kv.modRevision(EtcdKeys.rules("ns_pod1"));
    String newTags = "[\"namespace_ns\",\"ns_pod1\",\"ns_role_db\"]";

    assertEquals(Map.of("ns_pod1", WriteResult.UPDATED), write(profile(RULES, newTags, OWNER)));

    assertEquals(newTags, kv.value(EtcdKeys.tags("ns_pod1")).orElseThrow());
    assertEquals(rules, kv.modRevision(EtcdKeys.rules("ns_pod1")));
  }

  @Test
  void writesAFreshProfileWhenPodIsRecreated() {
    write(profile(RULES, TAGS, OWNER));
    long rules = kv.modRevision(EtcdKeys.rules("ns_pod1"));
    Owner recreated = new Owner("uid-2", "ns", "pod1");

    assertEquals(Map.of("ns_pod1", WriteResult.CREATED), write(profile(RULES, TAGS, recreated)));

    assertEquals(
        recreated, Owner.parse(kv.value(EtcdKeys.owner("ns_pod1")).orElseThrow()).orElseThrow());
    assertTrue(kv.modRevision(EtcdKeys.rules("ns_pod1")) > rules, "every key written afresh");
  }

  @Test
  void leavesForeignProfileUntouched() {
    kv.put(EtcdKeys.rules("ns_pod1"), "{\"id\":\"ns_pod1\",\"inbound_rules\":[]}");
    long revision = kv.modRevision(EtcdKeys.rules("ns_pod1"));

    assertEquals(Map.of("ns_pod1", WriteResult.FOREIGN), write(profile(RULES, TAGS, OWNER)));

    assertEquals(
        Map.of(EtcdKeys.rules("ns_pod1"), "{\"id\":\"ns_pod1\",\"inbound_rules\":[]}"),
        kv.prefix(EtcdKeys.profileDir("ns_pod1")));
    assertEquals(revision, kv.modRevision(EtcdKeys.rules("ns_pod1")));
    assertTrue(kv.get(EtcdKeys.owner("ns_pod1")).isEmpty());
  }

  @Test
  void treatsProfileWithOnlyTagsAsForeign() {
    kv.put(EtcdKeys.tags("ns_pod1"), "[\"theirs\"]");

    assertEquals(Map.of("ns_pod1", WriteResult.FOREIGN), write(profile(RULES, TAGS, OWNER)));

    assertEquals(
        Map.of(EtcdKeys.tags("ns_pod1"), "[\"theirs\"]"),
        kv.prefix(EtcdKeys.profileDir("ns_pod1")));
  }

  @Test
  void recreatesOwnedProfileDeletedBySomeoneElse() {
    write(profile(RULES, TAGS, OWNER));
    kv.deletePrefix(EtcdKeys.profileDir("ns_pod1"));

    assertEquals(Map.of("ns_pod1", WriteResult.UPDATED), write(profile(RULES, TAGS, OWNER)));

    assertEquals(RULES, kv.value(EtcdKeys.rules("ns_pod1")).orElseThrow());
  }

  @Test
  void writesThousandsOfProfilesWithinEtcdTransactionLimit() {
    List<DesiredProfile> profiles =
        IntStream.range(0, 1000)
            .mapToObj(
                i ->
                    new DesiredProfile(
                        "ns_p" + i,
                        "{\"id\":\"ns_p" + i + "\"}",
                        "[]",
                        new Owner("u" + i, "ns", "p" + i)))
            .toList();

    Map<String, WriteResult> results = join(store.write(profiles));

    assertEquals(1000, results.size());
    assertEquals(Set.of(WriteResult.CREATED), Set.copyOf(results.values()));
    assertEquals(2000, kv.count(EtcdKeys.PROFILE_PREFIX));
    assertEquals(1000, kv.count(EtcdKeys.OWNER_PREFIX));
    assertEquals("{\"id\":\"ns_p999\"}", kv.value(EtcdKeys.rules("ns_p999")).orElseThrow());
  }

  @Test
  void decidesEachProfileOfOneTransactionOnItsOwn() {
    write(profile(RULES, TAGS, OWNER));
    kv.put(EtcdKeys.rules("ns_foreign"), "{}");
    DesiredProfile fresh =
        new DesiredProfile("ns_new", "{\"id\":\"ns_new\"}", "[]", new Owner("u", "ns", "new"));
    DesiredProfile foreign =
        new DesiredProfile(
            "ns_foreign", "{\"id\":\"ns_foreign\"}", "[]", new Owner("u", "ns", "foreign"));

    Map<String, WriteResult> results =
        join(store.write(List.of(profile(RULES, TAGS, OWNER), fresh, foreign)));

    assertEquals(
        Map.of(
            "ns_pod1",
            WriteResult.UNCHANGED,
            "ns_new",
            WriteResult.CREATED,
            "ns_foreign",
            WriteResult.FOREIGN),
        results);
    assertEquals("{}", kv.value(EtcdKeys.rules("ns_foreign")).orElseThrow());
  }

  @Test
  void deletesOwnedProfileWithItsOwnershipRecord() {
    write(profile(RULES, TAGS, OWNER));

    assertEquals(WriteResult.DELETED, join(store.deleteOwned("ns_pod1")));

    assertEquals(Map.of(), kv.prefix(EtcdKeys.profileDir("ns_pod1")));
    assertTrue(kv.get(EtcdKeys.owner("ns_pod1")).isEmpty());
  }

  @Test
  void neverDeletesForeignProfile() {
    kv.put(EtcdKeys.rules("ns_pod1"), RULES);
    kv.put(EtcdKeys.tags("ns_pod1"), TAGS);

    assertEquals(WriteResult.ABSENT, join(store.deleteOwned("ns_pod1")));

    assertEquals(
        Map.of(EtcdKeys.rules("ns_pod1"), RULES, EtcdKeys.tags("ns_pod1"), TAGS),
        kv.prefix(EtcdKeys.profileDir("ns_pod1")));
  }

  @Test
  void deletesOnlyTheNamedProfile() {
    write(profile(RULES, TAGS, OWNER));
    DesiredProfile longer =
        new DesiredProfile("ns_pod10", "{}", "[]", new Owner("u", "ns", "pod10"));
    write(longer);

    join(store.deleteOwned("ns_pod1"));

    assertEquals(2, kv.count(EtcdKeys.profileDir("ns_pod10")));
    assertTrue(kv.get(EtcdKeys.owner("ns_pod10")).isPresent());
  }

  @Test
  void writesAndDeletesInOneCallDecidingEachOnItsOwn() {
    write(profile(RULES, TAGS, OWNER));
    kv.put(EtcdKeys.rules("ns_theirs"), "{}");
    DesiredProfile fresh =
        new DesiredProfile("ns_new", "{\"id\":\"ns_new\"}", "[]", new Owner("u", "ns", "new"));

    ProfileStore.Applied applied =
        join(
            store.apply(
                List.of(
                    new ProfileOp.Put(fresh),
                    new ProfileOp.Remove("ns_pod1"),
                    new ProfileOp.Remove("ns_theirs"),
                    new ProfileOp.Remove("ns_nothing"))));

    assertEquals(
        Map.of(
            "ns_new", WriteResult.CREATED,
            "ns_pod1", WriteResult.DELETED,
            "ns_theirs", WriteResult.ABSENT,
            "ns_nothing", WriteResult.ABSENT),
        applied.results());
    assertEquals(Map.of(), kv.prefix(EtcdKeys.profileDir("ns_pod1")));
    assertEquals("{}", kv.value(EtcdKeys.rules("ns_theirs")).orElseThrow());
    assertTrue(kv.get(EtcdKeys.owner("ns_new")).isPresent());
  }

  @Test
  void remembersTheRevisionOfItsOwnWrites() {
    write(profile(RULES, TAGS, OWNER));

    assertTrue(own.contains(kv.modRevision(EtcdKeys.rules("ns_pod1"))));
    kv.put(EtcdKeys.tags("ns_pod1"), "[]");
    assertFalse(own.contains(kv.modRevision(EtcdKeys.tags("ns_pod1"))));
  }

  @Test
  void neverSendsAProfileOverTheByteLimitAndWritesTheOthers() {
    ProfileStore small = store(new TxnLimits(128, 10_000));
    DesiredProfile huge =
        new DesiredProfile(
            "ns_huge", "[" + "1,".repeat(6000) + "1]", "[]", new Owner("u", "ns", "huge"));

    Map<String, WriteResult> results =
        join(small.write(List.of(huge, profile(RULES, TAGS, OWNER))));

    assertEquals(Map.of("ns_huge", WriteResult.TOO_LARGE, "ns_pod1", WriteResult.CREATED), results);
    assertEquals(0, kv.count(EtcdKeys.profileDir("ns_huge")));
  }

  @Test
  void cutsGroupsByBytesAsWellAsOperations() {
    TxnLimits limits = new TxnLimits(128, 50_000);
    ProfileStore cutting = store(limits);
    List<ProfileOp> ops =
        IntStream.range(0, 30)
            .<ProfileOp>mapToObj(
                i ->
                    new ProfileOp.Put(
                        new DesiredProfile(
                            "ns_p" + i,
                            "x".repeat(9_000),
                            "[]",
                            new Owner("u" + i, "ns", "p" + i))))
            .toList();

    List<List<ProfileOp>> groups = cutting.group(ops);

    assertEquals(30, groups.stream().mapToInt(List::size).sum());
    for (List<ProfileOp> group : groups) {
      assertTrue(group.stream().mapToInt(TxnCost::bytes).sum() <= limits.maxBytes(), "bytes");
      assertTrue(group.size() * TxnLimits.PUT_OPS <= limits.maxOps(), "operations");
    }
    assertTrue(groups.size() >= 6, "30 profiles of 9 KB need 6 groups of 50 KB: " + groups.size());
    assertEquals(30, join(cutting.apply(ops)).results().size());
    assertEquals(30, kv.count(EtcdKeys.OWNER_PREFIX));
  }

  @Test
  void writesANewProfileInOneTransactionWithoutReadingFirst() {
    assertEquals(Map.of("ns_pod1", WriteResult.CREATED), write(profile(RULES, TAGS, OWNER)));

    assertEquals(1, transactions());
  }

  @Test
  void confirmsAKnownUnchangedProfileInOneTransactionThatWritesNothing() {
    write(profile(RULES, TAGS, OWNER));
    long revision = kv.modRevision(EtcdKeys.owner("ns_pod1"));

    assertEquals(Map.of("ns_pod1", WriteResult.UNCHANGED), write(profile(RULES, TAGS, OWNER)));

    assertEquals(2, transactions());
    assertEquals(revision, kv.modRevision(EtcdKeys.owner("ns_pod1")));
  }

  @Test
  void whatItRemembersIsCheckedByEtcdSoAHandEditCostsOneReadNeverAWrongAnswer() {
    write(profile(RULES, TAGS, OWNER));
    kv.put(EtcdKeys.rules("ns_pod1"), "{\"edited\":\"by hand\"}");
    kv.put(EtcdKeys.rules("ns_theirs"), "{}");
    DesiredProfile theirs =
        new DesiredProfile("ns_theirs", "{}", "[]", new Owner("u", "ns", "theirs"));

    assertEquals(
        Map.of("ns_pod1", WriteResult.UPDATED, "ns_theirs", WriteResult.FOREIGN),
        join(store.write(List.of(profile(RULES, TAGS, OWNER), theirs))));

    assertEquals(RULES, kv.value(EtcdKeys.rules("ns_pod1")).orElseThrow());
    assertEquals("{}", kv.value(EtcdKeys.rules("ns_theirs")).orElseThrow());
    assertEquals(
        4,
        transactions(),
        "the first write; then the guarded write, a read of the group, and the write again");
  }

  @Test
  void aProfileLearnedFromAScanNeedsNoRead() {
    write(profile(RULES, TAGS, OWNER));
    ProfileStore restarted = store(new TxnLimits(128, 1_400_000));
    new ProfileScan(ETCD.client().getKVClient(), 10, Duration.ofSeconds(5), restarted.known())
        .scan(stored -> {});
    double before = transactions();

    assertEquals(
        Map.of("ns_pod1", WriteResult.UNCHANGED),
        join(restarted.write(List.of(profile(RULES, TAGS, OWNER)))));

    assertEquals(1, transactions() - before);
  }

  private long transactions() {
    return metrics.timer("calico.etcd.txn").count();
  }

  private static DesiredProfile profile(String rules, String tags, Owner owner) {
    return new DesiredProfile("ns_pod1", rules, tags, owner);
  }

  private Map<String, WriteResult> write(DesiredProfile profile) {
    return join(store.write(List.of(profile)));
  }

  static <T> T join(java.util.concurrent.CompletableFuture<T> future) {
    try {
      return future.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
