package io.calicowebhook.reconciler;

import io.calicowebhook.observe.PodLog;
import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.worker.Daemons;
import io.calicowebhook.worker.PolicyProblem;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.jboss.logging.Logger;

/**
 * Records each {@link PolicyProblem} as a Kubernetes Event of type Warning on its pod ({@code v1}
 * Events, as {@code kubectl describe pod} shows them), in the background: the worker never waits on
 * the API. The Event's name derives from the pod, the reason and the policy value, so the same
 * problem recorded again (after a restart or a change of leader) finds its Event and only moves its
 * {@code lastTimestamp} (a merge patch; no read needed). At most {@link #QUEUE} Events wait; more
 * are dropped and counted.
 */
public final class PodEvents implements BiConsumer<PodMeta, PolicyProblem>, AutoCloseable {
  static final int QUEUE = 1000;
  private static final Logger LOG = Logger.getLogger(PodEvents.class);
  private static final int MAX_NAME = 253;

  private final KubernetesClient client;
  private final String component;
  private final String instance;
  private final AtomicLong dropped = new AtomicLong();
  private final ThreadPoolExecutor executor;

  /**
   * @param component the reporting component ({@code calico-policy-webhook})
   * @param instance this replica's name
   */
  public PodEvents(KubernetesClient client, String component, String instance) {
    this.client = client;
    this.component = component;
    this.instance = instance;
    this.executor =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            Daemons.named("pod-events"),
            (task, pool) -> dropped.incrementAndGet());
  }

  /** Queues the Event; returns at once. */
  @Override
  public void accept(PodMeta pod, PolicyProblem problem) {
    executor.execute(() -> record(pod, problem));
  }

  /**
   * Queues a Warning Event with {@code reason} and {@code message} on this replica's own pod
   * ({@code namespace}/{@code instance}): what an operator must hear of the service itself.
   */
  public void warnOwnPod(String namespace, String reason, String message) {
    executor.execute(() -> recordOwn(namespace, reason, message));
  }

  private void recordOwn(String namespace, String reason, String message) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    String name = instance + "." + hash(reason + "\n" + now);
    try {
      client
          .v1()
          .events()
          .inNamespace(namespace)
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withName(name.length() > MAX_NAME ? name.substring(0, MAX_NAME) : name)
                  .withNamespace(namespace)
                  .endMetadata()
                  .withNewInvolvedObject()
                  .withApiVersion("v1")
                  .withKind("Pod")
                  .withNamespace(namespace)
                  .withName(instance)
                  .endInvolvedObject()
                  .withType("Warning")
                  .withReason(reason)
                  .withMessage(message.length() > 1024 ? message.substring(0, 1024) : message)
                  .withCount(1)
                  .withFirstTimestamp(now)
                  .withLastTimestamp(now)
                  .withNewSource()
                  .withComponent(component)
                  .endSource()
                  .withReportingComponent(component)
                  .withReportingInstance(instance)
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      LOG.warnf("cannot record Event %s on this replica's pod: %s", reason, e.getMessage());
    }
  }

  /** Events dropped because too many were waiting. */
  public long dropped() {
    return dropped.get();
  }

  private void record(PodMeta pod, PolicyProblem problem) {
    String name = name(pod, problem);
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    try {
      client
          .v1()
          .events()
          .inNamespace(pod.namespace())
          .resource(event(pod, problem, name, now))
          .create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        PodLog.with(
            pod.key(),
            () ->
                LOG.warnf(
                    "pod %s: cannot record Event %s: %s",
                    pod.key(), problem.reason(), e.getMessage()));
        return;
      }
      touch(pod, name, now);
    }
  }

  private void touch(PodMeta pod, String name, String now) {
    try {
      client
          .v1()
          .events()
          .inNamespace(pod.namespace())
          .withName(name)
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"lastTimestamp\":\"" + now + "\"}");
    } catch (KubernetesClientException e) {
      PodLog.with(
          pod.key(),
          () -> LOG.debugf("pod %s: cannot update Event %s: %s", pod.key(), name, e.getMessage()));
    }
  }

  private Event event(PodMeta pod, PolicyProblem problem, String name, String now) {
    return new EventBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(pod.namespace())
        .endMetadata()
        .withNewInvolvedObject()
        .withApiVersion("v1")
        .withKind("Pod")
        .withNamespace(pod.namespace())
        .withName(pod.name())
        .withUid(pod.uid())
        .endInvolvedObject()
        .withType("Warning")
        .withReason(problem.reason().name())
        .withMessage(problem.message())
        .withCount(1)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withNewSource()
        .withComponent(component)
        .endSource()
        .withReportingComponent(component)
        .withReportingInstance(instance)
        .build();
  }

  /** {@code <pod>.<hash of uid, reason and policy>}, cut to a valid object name. */
  static String name(PodMeta pod, PolicyProblem problem) {
    String suffix = "." + hash(pod.uid() + "\n" + problem.reason() + "\n" + problem.subject());
    String podName = pod.name();
    if (podName.length() + suffix.length() > MAX_NAME) {
      podName = podName.substring(0, MAX_NAME - suffix.length()).replaceAll("[-.]+$", "");
    }
    return podName + suffix;
  }

  private static String hash(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  @Override
  public void close() {
    Daemons.shutdown(executor, Duration.ofSeconds(2));
  }
}
