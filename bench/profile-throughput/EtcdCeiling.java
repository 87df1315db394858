import io.calicowebhook.etcd.EtcdKeys;
import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.profile.DefaultPolicy;
import io.calicowebhook.profile.Profile;
import io.calicowebhook.profile.ProfileBuilder;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.IntFunction;

/**
 * etcd's ceiling for profiles on this machine: the three keys of each profile (rules, tags,
 * ownership record) put blind, 42 profiles (126 puts) a transaction, a fixed number of transactions
 * in flight; no reads, no guards. No writer of these keys can beat it, so the worker's profiles/s
 * are reported as a share of it.
 *
 * <p>As a program: {@code EtcdCeiling ENDPOINT [profiles] [in-flight]} prints profiles/s for pods
 * shaped like {@code bench/admission/review.json} (five labels, three rules), the pods that {@code
 * bench/profile-throughput/run.sh} admits through {@code /validate}.
 */
public class EtcdCeiling {
  static final ProfileBuilder BUILDER = new ProfileBuilder(DefaultPolicy.NS_ISOLATION);
  static final int PROFILES_PER_TXN = 42;

  public static void main(String[] args) throws Exception {
    int count = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    int inFlight = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    try (Client client = Client.builder().endpoints(args[0]).build()) {
      KV kv = client.getKVClient();
      measure(kv, i -> reviewedPod("ceiling-warmup", i), 2_000, inFlight);
      System.out.printf("%.0f%n", measure(kv, i -> reviewedPod("ceiling", i), count, inFlight));
    }
  }

  /** Profiles/s writing the profiles of {@code pods.apply(0 .. count-1)} blind. */
  static double measure(KV kv, IntFunction<PodMeta> pods, int count, int inFlight)
      throws Exception {
    Semaphore permits = new Semaphore(inFlight);
    List<CompletableFuture<?>> txns = new ArrayList<>();
    long start = System.nanoTime();
    for (int first = 0; first < count; first += PROFILES_PER_TXN) {
      List<Op> puts = new ArrayList<>();
      for (int i = first; i < Math.min(count, first + PROFILES_PER_TXN); i++) {
        PodMeta pod = pods.apply(i);
        Profile profile = BUILDER.build(pod).orElseThrow();
        puts.add(put(EtcdKeys.rules(profile.id()), profile.rulesJson()));
        puts.add(put(EtcdKeys.tags(profile.id()), profile.tagsJson()));
        puts.add(put(EtcdKeys.owner(profile.id()), "{\"uid\":\"" + pod.uid() + "\"}"));
      }
      permits.acquire();
      txns.add(
          kv.txn()
              .Then(puts.toArray(Op[]::new))
              .commit()
              .whenComplete((r, e) -> permits.release()));
    }
    CompletableFuture.allOf(txns.toArray(CompletableFuture[]::new)).get();
    return count / seconds(start);
  }

  /** A pod like the one in bench/admission/review.json, named {@code NAME-i} in namespace shop. */
  static PodMeta reviewedPod(String name, int i) {
    return new PodMeta(
        "shop",
        name + "-" + i,
        "uid-" + i,
        Map.of(
            "app.kubernetes.io/name", "web",
            "app.kubernetes.io/instance", "shop",
            "app.kubernetes.io/version", "2.14.1",
            "pod-template-hash", "5d8f7c9b4",
            "role", "frontend"),
        Map.of(
            "projectcalico.org/policy",
            "allow from label role=lb; allow tcp to ports 8080,8443;"
                + " allow tcp from cidr 10.20.0.0/16 to ports 9090"),
        false);
  }

  static Op put(String key, String value) {
    return Op.put(bytes(key), bytes(value), PutOption.DEFAULT);
  }

  static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
