package io.calicowebhook.etcd;

import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import java.util.ConcurrentModificationException;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** How to read a failed etcd call: is etcd away, or is this request the problem? */
public final class EtcdErrors {
  private EtcdErrors() {}

  /**
   * Whether {@code error} says that this request cannot succeed as sent (too large, too many
   * operations, a guard that kept failing) while etcd itself serves: worth splitting the batch
   * rather than waiting for etcd.
   */
  public static boolean isRequestProblem(Throwable error) {
    Throwable root = unwrap(error);
    if (root instanceof ConcurrentModificationException
        || root instanceof IllegalArgumentException) {
      return true;
    }
    if (isTooLarge(root)) {
      return true;
    }
    if (root instanceof EtcdException etcd) {
      ErrorCode code = etcd.getErrorCode();
      return code == ErrorCode.INVALID_ARGUMENT
          || code == ErrorCode.FAILED_PRECONDITION
          || code == ErrorCode.OUT_OF_RANGE;
    }
    return false;
  }

  /** Whether {@code error} is etcd or gRPC refusing a request or response for its size. */
  public static boolean isTooLarge(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof EtcdException etcd
          && etcd.getErrorCode() == ErrorCode.RESOURCE_EXHAUSTED) {
        return true;
      }
      String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
      if (message.contains("request is too large")
          || message.contains("resource_exhausted")
          || message.contains("too many operations in txn")) {
        return true;
      }
    }
    return false;
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
