package io.calicowebhook.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calicowebhook.etcd.EtcdErrors;
import io.calicowebhook.etcd.EtcdExtension;
import io.calicowebhook.etcd.EtcdKeys;
import io.calicowebhook.etcd.EtcdKv;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Txn;
import io.etcd.jetcd.kv.CompactResponse;
import io.etcd.jetcd.kv.DeleteResponse;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.PutResponse;
import io.etcd.jetcd.options.CompactOption;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.TxnOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The resync's scan against a real etcd, in small pages: each profile id once, as a plain read of
 * etcd sees it, at one revision, visited while the pages are still being read.
 */
class ProfileScanTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  /**
   * Ids that prefix each other with '-' or '.' next, which sorts before the '/' of a profile key.
   */
  private static final List<String> OWNED =
      List.of(
          "ns_a", "ns_a-b-c", "ns_ab", "ns_c-d-e", "ns_q", "u\uE000", "u\uD83D\uDE00", "ns_a.b.c");

  private static final List<String> FOREIGN = List.of("ns_a.b", "ns_z");
  private static final List<String> OWNER_ONLY =
      List.of("ns_a-b", "ns_0", "ns_c", "ns_c-d", "ns_zz", "odd/id");

  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  private EtcdKv kv;

  @BeforeEach
  void connect() {
    kv = ETCD.kv();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 1000})
  void visitsEachIdOnceAsAPlainReadSeesIt(int pageSize) {
    writeMix();
    Map<String, ProfileScan.Stored> expected = plainRead();
    Set<String> ids = new HashSet<>(OWNED);
    ids.addAll(FOREIGN);
    ids.addAll(OWNER_ONLY);
    assertEquals(ids, expected.keySet(), "the plain read sees every id written");

    List<ProfileScan.Stored> visited = new ArrayList<>();
    long revision = scan(ETCD.client().getKVClient(), pageSize, visited::add);

    assertEquals(expected.size(), visited.size(), "each id once");
    assertEquals(expected, byId(visited));
    assertEquals(currentRevision(), revision);
  }

  @Test
  void writesBetweenPagesDoNotShow() {
    writeMix();
    Map<String, ProfileScan.Stored> before = plainRead();
    long revisionBefore = currentRevision();
    List<ProfileScan.Stored> visited = new ArrayList<>();

    long revision =
        scan(
            ETCD.client().getKVClient(),
            2,
            stored -> {
              if (visited.isEmpty()) {
                // ids that sort after the first ones, so on later pages
                kv.put(EtcdKeys.rules("ns_zzz"), "{\"new\":1}");
                kv.put(EtcdKeys.owner("ns_zzz"), "{\"uid\":\"new\"}");
                kv.put(EtcdKeys.rules("ns_z"), "{\"changed\":1}");
                kv.deletePrefix(EtcdKeys.owner("ns_zz"));
                kv.put(EtcdKeys.owner("ns_z"), "{\"uid\":\"now owned\"}");
              }
              visited.add(stored);
            });

    assertEquals(revisionBefore, revision);
    assertEquals(before.size(), visited.size());
    assertEquals(before, byId(visited));
    assertTrue(currentRevision() > revisionBefore, "the writes happened");
  }

  @Test
  void visitsBeforeTheLastPageIsRead() {
    writeMix();
    CountingKv counting = new CountingKv(ETCD.client().getKVClient());
    AtomicInteger readsAtFirstVisit = new AtomicInteger(-1);

    scan(counting, 2, stored -> readsAtFirstVisit.compareAndSet(-1, counting.ranges.get()));

    int pages = counting.ranges.get();
    assertTrue(pages >= 10, "two keys a page: many pages, here " + pages);
    assertTrue(
        readsAtFirstVisit.get() < pages / 2,
        readsAtFirstVisit.get() + " of " + pages + " pages read before the first visit");
  }

  @Test
  void halvesAPageTooLargeForTheClient() throws Exception {
    String big = "x".repeat(3000);
    for (int i = 0; i < 10; i++) {
      kv.put(EtcdKeys.rules("ns_p" + i), big + i);
      kv.put(EtcdKeys.owner("ns_p" + i), "{\"uid\":\"" + i + "\"}");
    }
    Map<String, ProfileScan.Stored> expected = plainRead();
    try (Client small =
        Client.builder().endpoints(ETCD.endpoint()).maxInboundMessageSize(8 * 1024).build()) {
      GetOption eight = GetOption.builder().isPrefix(true).withLimit(8).build();
      ExecutionException refused =
          assertThrows(
              ExecutionException.class,
              () ->
                  small
                      .getKVClient()
                      .get(bytes(EtcdKeys.PROFILE_PREFIX), eight)
                      .get(10, TimeUnit.SECONDS));
      assertTrue(EtcdErrors.isTooLarge(refused), "a page of eight is too large for this client");

      List<ProfileScan.Stored> visited = new ArrayList<>();
      scan(small.getKVClient(), 8, visited::add);

      assertEquals(expected, byId(visited));
      assertEquals(10, visited.size());
    }
  }

  @Test
  void failsAsIllegalStateWhenEtcdIsDown() {
    writeMix();
    ETCD.process().stop();
    try {
      assertThrows(
          IllegalStateException.class, () -> scan(ETCD.client().getKVClient(), 2, stored -> {}));
    } finally {
      ETCD.process().start();
    }
  }

  @Test
  void teachesKnownProfilesWhatItVisits() {
    writeMix();
    KnownProfiles known = new KnownProfiles();
    List<ProfileScan.Stored> visited = new ArrayList<>();

    new ProfileScan(ETCD.client().getKVClient(), 2, TIMEOUT, known).scan(visited::add);

    assertEquals(plainRead().size(), visited.size());
    assertEquals(visited.size(), known.size());
    ProfileScan.Stored ownerOnly =
        visited.stream().filter(s -> s.id().equals("ns_a-b")).findFirst().orElseThrow();
    assertEquals(ownerOnly.ownerRevision(), known.view("ns_a-b").owner().modRevision());
  }

  /** Owned profiles, foreign ones, ownership records alone, and keys that name no profile. */
  private void writeMix() {
    for (String id : OWNED) {
      kv.put(EtcdKeys.owner(id), "{\"uid\":\"" + id + "\"}");
      if (id.equals("ns_q")) {
        kv.put(EtcdKeys.PROFILE_PREFIX + id + "/labels", "{}"); // neither rules nor tags
      } else {
        kv.put(EtcdKeys.rules(id), "{\"id\":\"" + id + "\"}");
      }
      if (!id.equals("ns_a.b.c")) {
        kv.put(EtcdKeys.tags(id), "[\"" + id + "\"]");
      }
    }
    kv.put(EtcdKeys.rules("ns_a.b"), "{\"theirs\":1}");
    kv.put(EtcdKeys.tags("ns_a.b"), "[\"theirs\"]");
    kv.put(EtcdKeys.tags("ns_z"), "[\"theirs\"]");
    for (String id : OWNER_ONLY) {
      kv.put(EtcdKeys.owner(id), "{\"uid\":\"alone " + id + "\"}");
    }
    kv.put(EtcdKeys.PROFILE_PREFIX + "stray", "no directory");
    kv.put(EtcdKeys.PROFILE_PREFIX + "/empty-id", "no id");
  }

  private static long scan(KV client, int pageSize, Consumer<ProfileScan.Stored> visitor) {
    return new ProfileScan(client, pageSize, TIMEOUT).scan(visitor);
  }

  private static Map<String, ProfileScan.Stored> byId(List<ProfileScan.Stored> visited) {
    return visited.stream()
        .collect(Collectors.toMap(ProfileScan.Stored::id, stored -> stored, (a, b) -> a));
  }

  /**
   * What the scan should see, from one unpaged read of each prefix: an id for each profile
   * directory key ({@code <id>/<leaf>}) and each ownership record.
   */
  private static Map<String, ProfileScan.Stored> plainRead() {
    Map<String, KeyValue[]> rows = new TreeMap<>();
    for (KeyValue key : all(EtcdKeys.PROFILE_PREFIX)) {
      String rest = text(key.getKey()).substring(EtcdKeys.PROFILE_PREFIX.length());
      int slash = rest.indexOf('/');
      if (slash > 0) {
        KeyValue[] row = rows.computeIfAbsent(rest.substring(0, slash), id -> new KeyValue[3]);
        String leaf = rest.substring(slash + 1);
        row[0] = leaf.equals("rules") ? key : row[0];
        row[1] = leaf.equals("tags") ? key : row[1];
      }
    }
    for (KeyValue owner : all(EtcdKeys.OWNER_PREFIX)) {
      String id = text(owner.getKey()).substring(EtcdKeys.OWNER_PREFIX.length());
      rows.computeIfAbsent(id, x -> new KeyValue[3])[2] = owner;
    }
    Map<String, ProfileScan.Stored> expected = new HashMap<>();
    rows.forEach(
        (id, row) ->
            expected.put(
                id,
                new ProfileScan.Stored(
                    id,
                    value(row[0]),
                    revision(row[0]),
                    value(row[1]),
                    revision(row[1]),
                    value(row[2]),
                    revision(row[2]))));
    return expected;
  }

  private static List<KeyValue> all(String prefix) {
    return ProfileStoreTest.join(
            ETCD.kv()
                .client()
                .getKVClient()
                .get(bytes(prefix), GetOption.builder().isPrefix(true).build()))
        .getKvs();
  }

  private static long currentRevision() {
    return ProfileStoreTest.join(ETCD.kv().client().getKVClient().get(bytes("/")))
        .getHeader()
        .getRevision();
  }

  private static String value(KeyValue kv) {
    return kv == null ? null : text(kv.getValue());
  }

  private static long revision(KeyValue kv) {
    return kv == null ? 0 : kv.getModRevision();
  }

  private static String text(ByteSequence bytes) {
    return bytes.toString(UTF_8);
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, UTF_8);
  }

  /** The client's KV, counting its range requests. */
  private static final class CountingKv implements KV {
    private final KV kv;
    final AtomicInteger ranges = new AtomicInteger();

    CountingKv(KV kv) {
      this.kv = kv;
    }

    @Override
    public CompletableFuture<GetResponse> get(ByteSequence key) {
      ranges.incrementAndGet();
      return kv.get(key);
    }

    @Override
    public CompletableFuture<GetResponse> get(ByteSequence key, GetOption option) {
      ranges.incrementAndGet();
      return kv.get(key, option);
    }

    @Override
    public CompletableFuture<PutResponse> put(ByteSequence key, ByteSequence value) {
      return kv.put(key, value);
    }

    @Override
    public CompletableFuture<PutResponse> put(
        ByteSequence key, ByteSequence value, PutOption option) {
      return kv.put(key, value, option);
    }

    @Override
    public CompletableFuture<DeleteResponse> delete(ByteSequence key) {
      return kv.delete(key);
    }

    @Override
    public CompletableFuture<DeleteResponse> delete(ByteSequence key, DeleteOption option) {
      return kv.delete(key, option);
    }

    @Override
    public CompletableFuture<CompactResponse> compact(long revision) {
      return kv.compact(revision);
    }

    @Override
    public CompletableFuture<CompactResponse> compact(long revision, CompactOption option) {
      return kv.compact(revision, option);
    }

    @Override
    public Txn txn() {
      return kv.txn();
    }

    @Override
    public Txn txn(TxnOption option) {
      return kv.txn(option);
    }
  }
}
