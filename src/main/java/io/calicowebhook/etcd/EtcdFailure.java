package io.calicowebhook.etcd;

import java.util.Locale;

/**
 * Why an etcd call failed, as {@link EtcdErrors#classify} reads it. Only a failure that belongs to
 * one request ({@link #isolates()}) may single out a profile; every other one is etcd's as a whole:
 * the caller keeps its work, backs off and tries again, and writes nothing fail-closed. etcd 3.4
 * answers {@code RESOURCE_EXHAUSTED} for a full quota, for too many requests and (through gRPC) for
 * a message over its size limit alike, so a reason is read from the code and the message together.
 */
public enum EtcdFailure {
  /**
   * This request is larger than etcd or gRPC takes: {@code etcdserver: request is too large},
   * {@code etcdserver: too many operations in txn request}, or gRPC's message size limits ({@code
   * grpc: received message larger than max}, {@code gRPC message exceeds maximum size}, {@code
   * message too large}).
   */
  TOO_LARGE,
  /** The guards of this request kept failing: someone else kept changing its keys. */
  CONFLICT,
  /**
   * etcd refused the content of this request, not its size: a duplicate key in one transaction, an
   * empty key, or a request the client could not build.
   */
  REJECTED,
  /** etcd's space quota is full ({@code mvcc: database space exceeded}, the NOSPACE alarm). */
  NOSPACE,
  /** etcd sheds load: {@code etcdserver: too many requests}. */
  TOO_MANY_REQUESTS,
  /** The etcd cluster has no leader, or it changed while the request was on its way. */
  LEADER_CHANGED,
  /** No answer in time: our own deadline, gRPC's, or {@code etcdserver: request timed out}. */
  TIMEOUT,
  /** etcd cannot be reached: refused or dropped connections, a closed client or channel. */
  UNAVAILABLE,
  /** Anything else, taken as etcd's own failure: nothing is singled out for it. */
  OTHER;

  /**
   * Whether the failure belongs to this request alone, so that splitting its batch can single out
   * the profile at fault while the others are written.
   */
  public boolean isolates() {
    return this == TOO_LARGE || this == CONFLICT || this == REJECTED;
  }

  /** The lower-case name, for a metric tag: {@code too_large}, {@code nospace}, ... */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
