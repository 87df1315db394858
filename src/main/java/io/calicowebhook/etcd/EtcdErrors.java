package io.calicowebhook.etcd;

import io.etcd.jetcd.common.exception.ClosedClientException;
import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * How to read a failed etcd call: is etcd away, or is this request the problem? A gRPC failure is
 * read from its code and its message together (etcd 3.4's {@code rpctypes/error.go}; gRPC's size
 * limits), never from the code alone; what it cannot place is {@link EtcdFailure#OTHER}, which
 * singles out nothing.
 */
public final class EtcdErrors {
  private static final int MAX_DEPTH = 16;
  private static final List<String> TOO_LARGE =
      List.of("request is too large", "too many operations in txn");
  private static final List<String> SIZE_LIMITS =
      List.of("message larger than max", "exceeds maximum size", "message too large");
  private static final List<String> REJECTED =
      List.of(
          "duplicate key given in txn",
          "key is not provided",
          "value is provided",
          "lease is provided");
  private static final List<String> LEADER = List.of("leader changed", "no leader", "not leader");

  private EtcdErrors() {}

  /** Why {@code error} happened; {@link EtcdFailure#OTHER} when nothing in it says. */
  public static EtcdFailure classify(Throwable error) {
    Throwable cause = unwrap(error);
    for (int depth = 0; cause != null && depth < MAX_DEPTH; depth++) {
      Optional<EtcdFailure> reason = read(cause);
      if (reason.isPresent()) {
        return reason.get();
      }
      cause = cause.getCause() == cause ? null : cause.getCause();
    }
    return EtcdFailure.OTHER;
  }

  /**
   * Whether {@code error} says that this request cannot succeed as sent (too large, too many
   * operations, a guard that kept failing) while etcd itself serves: worth splitting the batch
   * rather than waiting for etcd.
   */
  public static boolean isRequestProblem(Throwable error) {
    return classify(error).isolates();
  }

  /** Whether {@code error} is etcd or gRPC refusing a request or response for its size. */
  public static boolean isTooLarge(Throwable error) {
    return classify(error) == EtcdFailure.TOO_LARGE;
  }

  /** The reason {@code cause} itself gives, or empty to look at what caused it. */
  private static Optional<EtcdFailure> read(Throwable cause) {
    Optional<EtcdFailure> local =
        local(cause); // first: a closed client's exceptions are etcd's too
    if (local.isPresent()) {
      return local;
    }
    if (cause instanceof EtcdException etcd) {
      return read(Status.Code.valueOf(etcd.getErrorCode().name()), etcd.getMessage());
    }
    if (cause instanceof StatusRuntimeException grpc) {
      return read(grpc.getStatus().getCode(), grpc.getStatus().getDescription());
    }
    if (cause instanceof StatusException grpc) {
      return read(grpc.getStatus().getCode(), grpc.getStatus().getDescription());
    }
    return Optional.empty();
  }

  /** The reason of a failure the client raised itself, before or instead of an answer. */
  private static Optional<EtcdFailure> local(Throwable cause) {
    if (cause instanceof ConcurrentModificationException) {
      return Optional.of(EtcdFailure.CONFLICT);
    }
    if (cause instanceof TimeoutException) {
      return Optional.of(EtcdFailure.TIMEOUT); // our own orTimeout
    }
    if (cause instanceof IllegalArgumentException) {
      return Optional.of(EtcdFailure.REJECTED); // a request the client could not build
    }
    if (cause instanceof ClosedClientException
        || cause instanceof ConnectException
        || cause instanceof ClosedChannelException
        || cause instanceof RejectedExecutionException) { // a closed client's executor
      return Optional.of(EtcdFailure.UNAVAILABLE);
    }
    return Optional.empty();
  }

  /** A gRPC answer: its code first, then the message etcd or gRPC gave with that code. */
  private static Optional<EtcdFailure> read(Status.Code code, String description) {
    String message = String.valueOf(description).toLowerCase(Locale.ROOT);
    return Optional.ofNullable(
        switch (code) {
          case INVALID_ARGUMENT ->
              says(message, TOO_LARGE)
                  ? EtcdFailure.TOO_LARGE
                  : says(message, REJECTED) ? EtcdFailure.REJECTED : EtcdFailure.OTHER;
          case RESOURCE_EXHAUSTED -> exhausted(message);
          case UNAVAILABLE ->
              says(message, LEADER)
                  ? EtcdFailure.LEADER_CHANGED
                  : message.contains("request timed out")
                      ? EtcdFailure.TIMEOUT
                      : EtcdFailure.UNAVAILABLE;
          case FAILED_PRECONDITION ->
              says(message, LEADER) ? EtcdFailure.LEADER_CHANGED : EtcdFailure.OTHER;
          case DEADLINE_EXCEEDED -> EtcdFailure.TIMEOUT;
          case UNKNOWN, CANCELLED -> null; // a wrapper: what caused it may say more
          default -> EtcdFailure.OTHER;
        });
  }

  /** etcd's quota, its load shedding and gRPC's size limits all answer RESOURCE_EXHAUSTED. */
  private static EtcdFailure exhausted(String message) {
    if (message.contains("database space exceeded") || message.contains("nospace")) {
      return EtcdFailure.NOSPACE;
    }
    if (message.contains("too many requests")) {
      return EtcdFailure.TOO_MANY_REQUESTS;
    }
    return says(message, SIZE_LIMITS) ? EtcdFailure.TOO_LARGE : EtcdFailure.OTHER;
  }

  private static boolean says(String message, List<String> phrases) {
    return phrases.stream().anyMatch(message::contains);
  }

  /** The innermost cause, past the wrappers of futures. */
  public static Throwable unwrap(Throwable error) {
    Throwable current = error;
    while ((current instanceof CompletionException || current instanceof ExecutionException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }

  /** {@code SimpleName: message} of the root cause, for one log line. */
  public static String describe(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }
}
