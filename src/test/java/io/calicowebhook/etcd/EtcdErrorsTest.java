package io.calicowebhook.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.etcd.jetcd.common.exception.EtcdExceptionFactory;
import io.grpc.Status;
import java.net.ConnectException;
import java.util.ConcurrentModificationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each failure etcd 3.4 or gRPC can answer, built as jetcd builds it from the gRPC status, read as
 * the reason it is; one row per error. The messages are etcd 3.4's ({@code rpctypes/error.go}) and
 * grpc-go's and grpc-java's size-limit messages.
 */
class EtcdErrorsTest {
  static Stream<Arguments> grpcAnswers() {
    return Stream.of(
        row(Status.INVALID_ARGUMENT, "etcdserver: request is too large", EtcdFailure.TOO_LARGE),
        row(
            Status.INVALID_ARGUMENT,
            "etcdserver: too many operations in txn request",
            EtcdFailure.TOO_LARGE),
        row(
            Status.RESOURCE_EXHAUSTED,
            "grpc: received message larger than max (2097162 vs. 2097152)",
            EtcdFailure.TOO_LARGE),
        row(
            Status.RESOURCE_EXHAUSTED,
            "grpc: trying to send message larger than max (5242880 vs. 4194304)",
            EtcdFailure.TOO_LARGE),
        row(
            Status.RESOURCE_EXHAUSTED,
            "gRPC message exceeds maximum size 4194304: 6027014",
            EtcdFailure.TOO_LARGE),
        row(
            Status.RESOURCE_EXHAUSTED,
            "Decompressed gRPC message exceeds maximum size 4194304",
            EtcdFailure.TOO_LARGE),
        row(
            Status.RESOURCE_EXHAUSTED,
            "message too large 5242880 > 4194304",
            EtcdFailure.TOO_LARGE),
        row(
            Status.RESOURCE_EXHAUSTED,
            "etcdserver: mvcc: database space exceeded",
            EtcdFailure.NOSPACE),
        row(
            Status.RESOURCE_EXHAUSTED,
            "etcdserver: too many requests",
            EtcdFailure.TOO_MANY_REQUESTS),
        row(Status.RESOURCE_EXHAUSTED, "something new", EtcdFailure.OTHER),
        row(Status.RESOURCE_EXHAUSTED, null, EtcdFailure.OTHER),
        row(
            Status.INVALID_ARGUMENT,
            "etcdserver: duplicate key given in txn request",
            EtcdFailure.REJECTED),
        row(Status.INVALID_ARGUMENT, "etcdserver: key is not provided", EtcdFailure.REJECTED),
        row(
            Status.INVALID_ARGUMENT,
            "etcdserver: authentication failed, invalid user ID or password",
            EtcdFailure.OTHER),
        row(Status.UNAVAILABLE, "etcdserver: leader changed", EtcdFailure.LEADER_CHANGED),
        row(Status.UNAVAILABLE, "etcdserver: no leader", EtcdFailure.LEADER_CHANGED),
        row(Status.FAILED_PRECONDITION, "etcdserver: not leader", EtcdFailure.LEADER_CHANGED),
        row(Status.UNAVAILABLE, "etcdserver: request timed out", EtcdFailure.TIMEOUT),
        row(
            Status.UNAVAILABLE,
            "etcdserver: request timed out, possibly due to previous leader failure",
            EtcdFailure.TIMEOUT),
        row(Status.DEADLINE_EXCEEDED, "deadline exceeded after 9.9s", EtcdFailure.TIMEOUT),
        row(Status.UNAVAILABLE, "io exception", EtcdFailure.UNAVAILABLE),
        row(Status.UNAVAILABLE, "etcdserver: server stopped", EtcdFailure.UNAVAILABLE),
        row(Status.UNAVAILABLE, "Channel shutdown invoked", EtcdFailure.UNAVAILABLE),
        row(Status.FAILED_PRECONDITION, "etcdserver: user name not found", EtcdFailure.OTHER),
        row(
            Status.OUT_OF_RANGE,
            "etcdserver: mvcc: required revision has been compacted",
            EtcdFailure.OTHER),
        row(Status.PERMISSION_DENIED, "etcdserver: permission denied", EtcdFailure.OTHER),
        row(Status.DATA_LOSS, "etcdserver: corrupt cluster", EtcdFailure.OTHER));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("grpcAnswers")
  void readsJetcdExceptionsByCodeAndMessage(
      Status.Code code, String message, EtcdFailure expected) {
    Status status = code.toStatus().withDescription(message);
    Throwable thrown = new CompletionException(EtcdExceptionFactory.toEtcdException(status));

    assertEquals(expected, EtcdErrors.classify(thrown));
    assertEquals(expected.isolates(), EtcdErrors.isRequestProblem(thrown));
    assertEquals(expected == EtcdFailure.TOO_LARGE, EtcdErrors.isTooLarge(thrown));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("grpcAnswers")
  void readsGrpcExceptionsAlike(Status.Code code, String message, EtcdFailure expected) {
    Throwable thrown =
        new ExecutionException(code.toStatus().withDescription(message).asRuntimeException());

    assertEquals(expected, EtcdErrors.classify(thrown));
  }

  static Stream<Arguments> otherThrowables() {
    return Stream.of(
        Arguments.of(
            new ConcurrentModificationException("profiles kept changing"), EtcdFailure.CONFLICT),
        Arguments.of(new TimeoutException(), EtcdFailure.TIMEOUT),
        Arguments.of(EtcdExceptionFactory.newClosedWatchClientException(), EtcdFailure.UNAVAILABLE),
        Arguments.of(
            EtcdExceptionFactory.toEtcdException(
                new ConnectException("Connection refused: /127.0.0.1:2379")),
            EtcdFailure.UNAVAILABLE),
        Arguments.of(
            new RejectedExecutionException("rejected from ThreadPoolExecutor[Terminated]"),
            EtcdFailure.UNAVAILABLE),
        Arguments.of(new IllegalArgumentException("key must not be empty"), EtcdFailure.REJECTED),
        Arguments.of(
            EtcdExceptionFactory.toEtcdException(
                Status.UNKNOWN.withCause(
                    Status.RESOURCE_EXHAUSTED
                        .withDescription("etcdserver: mvcc: database space exceeded")
                        .asRuntimeException())),
            EtcdFailure.NOSPACE),
        Arguments.of(new IllegalStateException("resource_exhausted"), EtcdFailure.OTHER),
        Arguments.of(new IllegalStateException("request is too large"), EtcdFailure.OTHER),
        Arguments.of(new OutOfMemoryError(), EtcdFailure.OTHER));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("otherThrowables")
  void readsOtherFailures(Throwable thrown, EtcdFailure expected) {
    assertEquals(expected, EtcdErrors.classify(new CompletionException(thrown)));
  }

  private static Arguments row(Status status, String message, EtcdFailure expected) {
    return Arguments.of(status.getCode(), message, expected);
  }
}
