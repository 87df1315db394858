import io.calicowebhook.reconciler.Resync;
import io.etcd.jetcd.KV;
import java.time.Duration;

/** Phase 3: a resync with nothing changed. */
final class UnchangedResync {
  private UnchangedResync() {}

  /** A resync with nothing changed: its duration, and that it queued and wrote nothing. */
  static void run(Replica service) throws Exception {
    KV kv = service.client().getKVClient();
    long revision = Bench.revision(kv);
    double writes = service.writes();
    long resyncs = service.sync().reconciler().resyncCount();
    long start = System.nanoTime();
    service.sync().reconciler().resyncSoon();
    long done =
        Bench.awaitAt(
            () -> service.sync().reconciler().resyncCount() > resyncs, Duration.ofMillis(5));
    Resync.Report report = service.sync().reconciler().lastResync().orElseThrow();
    int queued = report.created() + report.updated() + report.deleted();
    Bench.awaitAt(() -> service.sync().worker().pending() == 0, Duration.ofMillis(20));
    Thread.sleep(1_000); // anything queued would be written by now
    long revisionAfter = Bench.revision(kv);
    double wrote = service.writes() - writes;
    System.out.printf(
        "unchanged resync: %s; %.2f s from resyncSoon() to done; etcd revision %d before, %d"
            + " after; profiles written meanwhile: %.0f%n",
        report.line(), (done - start) / 1e9, revision, revisionAfter, wrote);
    double took = report.took().toMillis() / 1000.0;
    ResultTable.row(
        "resync, nothing changed: duration",
        String.format("%.2f s (%,d pods)", took, report.pods()),
        "",
        "",
        "< 5 s",
        ResultTable.met(took < 5));
    boolean quiet = queued == 0 && wrote == 0 && revision == revisionAfter;
    ResultTable.row(
        "resync, nothing changed: queued / written",
        String.format(
            "%d / %.0f, revision %s", queued, wrote, revision == revisionAfter ? "same" : "moved"),
        "",
        "",
        "0 / 0, same",
        ResultTable.met(quiet));
  }
}
