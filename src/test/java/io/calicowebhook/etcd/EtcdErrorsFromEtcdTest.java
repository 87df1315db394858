package io.calicowebhook.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The errors a real etcd 3.4 answers, through jetcd as the store sees them, read as their reason:
 * only the ones that belong to one request may single out a profile.
 */
class EtcdErrorsFromEtcdTest {
  private static final int MAX_REQUEST_BYTES = 4096;

  @RegisterExtension
  static final EtcdExtension ETCD =
      new EtcdExtension(List.of("--max-request-bytes=" + MAX_REQUEST_BYTES));

  @AfterEach
  void disarm() throws Exception {
    EtcdAlarms.disarmAll(ETCD.client());
  }

  @Test
  void requestOverEtcdsLimitIsTooLarge() {
    EtcdFailure reason = failure(put("/big", MAX_REQUEST_BYTES + 1000));

    assertEquals(EtcdFailure.TOO_LARGE, reason);
  }

  @Test
  void requestOverGrpcsLimitIsTooLarge() {
    // etcd's gRPC server takes up to --max-request-bytes plus 512 KiB, then refuses the message
    EtcdFailure reason = failure(put("/huge", MAX_REQUEST_BYTES + 600 * 1024));

    assertEquals(EtcdFailure.TOO_LARGE, reason);
  }

  @Test
  void transactionOverEtcdsOperationLimitIsTooLarge() {
    Op[] puts =
        IntStream.range(0, 129) // etcd's --max-txn-ops defaults to 128
            .mapToObj(i -> Op.put(bytes("/op" + i), bytes("v"), PutOption.DEFAULT))
            .toArray(Op[]::new);

    EtcdFailure reason = failure(ETCD.client().getKVClient().txn().Then(puts).commit());

    assertEquals(EtcdFailure.TOO_LARGE, reason);
  }

  @Test
  void duplicateKeyIsRejectedRequest() {
    Op first = Op.put(bytes("/dup"), bytes("1"), PutOption.DEFAULT);
    Op second = Op.put(bytes("/dup"), bytes("2"), PutOption.DEFAULT);

    EtcdFailure reason = failure(ETCD.client().getKVClient().txn().Then(first, second).commit());

    assertEquals(EtcdFailure.REJECTED, reason);
  }

  @Test
  void fullQuotaIsNospaceNotTooLarge() throws Exception {
    EtcdAlarms.activate(ETCD.endpoint(), ETCD.client(), "NOSPACE");

    EtcdFailure reason = failure(put("/small", 10));

    assertEquals(EtcdFailure.NOSPACE, reason);
  }

  @Test
  void stoppedEtcdIsUnavailable() {
    ETCD.process().stop();
    try {
      EtcdFailure reason = failure(put("/any", 10));

      assertEquals(EtcdFailure.UNAVAILABLE, reason);
    } finally {
      ETCD.process().start();
    }
  }

  @Test
  void closedClientIsUnavailable() { // jetcd's executor refuses the call
    Client closed = Client.builder().endpoints(ETCD.endpoint()).build();
    closed.close();

    EtcdFailure reason =
        failure(
            CompletableFuture.supplyAsync(() -> closed.getKVClient().put(bytes("/a"), bytes("b")))
                .thenCompose(put -> put));

    assertEquals(EtcdFailure.UNAVAILABLE, reason);
  }

  private static CompletableFuture<?> put(String key, int size) {
    return ETCD.client().getKVClient().put(bytes(key), bytes("x".repeat(size)));
  }

  private static EtcdFailure failure(CompletableFuture<?> call) {
    ExecutionException failed =
        assertThrows(ExecutionException.class, () -> call.get(30, TimeUnit.SECONDS));
    return EtcdErrors.classify(failed);
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, UTF_8);
  }
}
