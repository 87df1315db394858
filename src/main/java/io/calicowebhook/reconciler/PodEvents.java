package io.calicowebhook.reconciler;

import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.worker.Backoff;
import io.calicowebhook.worker.Daemons;
import io.calicowebhook.worker.PodLog;
import io.calicowebhook.worker.PolicyProblem;
import io.calicowebhook.worker.ProblemSink;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.EventList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Records each {@link PolicyProblem} as a Kubernetes Event of type Warning on its pod ({@code v1}
 * Events, as {@code kubectl describe pod} shows them), in the background: the worker never waits on
 * the API. The Event's name derives from the pod, the reason and the policy value, so the same
 * problem recorded again (the pod's policy fixed and broken again, a restart, a change of leader)
 * finds its Event (409 on create): it is read and its {@code count} raised by one, with a new
 * {@code lastTimestamp}.
 *
 * <p>Delivered at least once: a create or patch that fails (403, 5xx, the API away) is tried again
 * with backoff ({@code backoffMin} doubling up to {@code backoffMax}), at most {@link #ATTEMPTS}
 * times, then given up with a log line and {@code calico_events_failed_total}. At most {@code
 * capacity} Events wait or are being tried ({@value #QUEUE} in the service); more are dropped,
 * counted in {@code calico_events_dropped_total} and logged at most once per {@link
 * #DROP_LOG_EVERY}. A dropped or given-up Event fails its {@link #record} future, so that its
 * problem is not taken as reported and is recorded when the pod is met again.
 */
public final class PodEvents implements ProblemSink, AutoCloseable {
  static final int QUEUE = 1000;
  static final int ATTEMPTS = 8;
  static final Duration DROP_LOG_EVERY = Duration.ofSeconds(30);
  private static final Logger LOG = Logger.getLogger(PodEvents.class);
  private static final int MAX_NAME = 253;

  private final KubernetesClient client;
  private final String component;
  private final String instance;
  private final int capacity;
  private final Duration backoffMin;
  private final Duration backoffMax;
  private final AtomicInteger waiting = new AtomicInteger();
  private final AtomicLong lastDropLog;
  private final Counter dropped;
  private final Counter failed;
  private final Random random = new Random();
  private final ScheduledThreadPoolExecutor executor;

  /** Thrown into a dropped Event's future. */
  static final class Dropped extends RejectedExecutionException {
    private static final long serialVersionUID = 1L;

    Dropped(String message) {
      super(message);
    }
  }

  /**
   * @param component the reporting component ({@code calico-policy-webhook})
   * @param instance this replica's name
   * @param registry where the dropped and failed counters go
   */
  public PodEvents(
      KubernetesClient client, String component, String instance, MeterRegistry registry) {
    this(
        client,
        component,
        instance,
        registry,
        QUEUE,
        Duration.ofSeconds(1),
        Duration.ofSeconds(30));
  }

  PodEvents(
      KubernetesClient client,
      String component,
      String instance,
      MeterRegistry registry,
      int capacity,
      Duration backoffMin,
      Duration backoffMax) {
    this.client = client;
    this.component = component;
    this.instance = instance;
    this.capacity = capacity;
    this.backoffMin = backoffMin;
    this.backoffMax = backoffMax;
    this.lastDropLog = new AtomicLong(System.nanoTime() - DROP_LOG_EVERY.toNanos());
    this.dropped =
        Counter.builder("calico.events.dropped")
            .description("Pod Events not recorded because too many were waiting")
            .register(registry);
    this.failed =
        Counter.builder("calico.events.failed")
            .description("Pod Events given up after every attempt failed")
            .register(registry);
    this.executor = new ScheduledThreadPoolExecutor(1, Daemons.named("pod-events"));
    this.executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /** Queues the Event; returns at once. */
  @Override
  public CompletionStage<Void> record(PodMeta pod, PolicyProblem problem) {
    Delivery delivery = new Delivery(pod, problem);
    if (waiting.incrementAndGet() > capacity) {
      waiting.decrementAndGet();
      drop(delivery);
      return delivery.done;
    }
    schedule(delivery, Duration.ZERO);
    return delivery.done;
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
              warning(
                  name.length() > MAX_NAME ? name.substring(0, MAX_NAME) : name,
                  new PodMeta(
                      namespace, instance, null, java.util.Map.of(), java.util.Map.of(), false),
                  reason,
                  message.length() > 1024 ? message.substring(0, 1024) : message,
                  now))
          .create();
    } catch (KubernetesClientException e) {
      LOG.warnf("cannot record Event %s on this replica's pod: %s", reason, e.getMessage());
    }
  }

  /** Events dropped because too many were waiting. */
  public long dropped() {
    return (long) dropped.count();
  }

  private void drop(Delivery delivery) {
    dropped.increment();
    long now = System.nanoTime();
    long last = lastDropLog.get();
    if (now - last >= DROP_LOG_EVERY.toNanos() && lastDropLog.compareAndSet(last, now)) {
      PodLog.with(
          delivery.pod.key(),
          () ->
              LOG.warnf(
                  "pod %s: its %s Event is dropped: %d Events wait already (%d dropped since"
                      + " start); a dropped problem is recorded when its pod is met again",
                  delivery.pod.key(), delivery.problem.reason(), capacity, dropped()));
    }
    delivery.done.completeExceptionally(new Dropped(capacity + " Events wait already"));
  }

  private void schedule(Delivery delivery, Duration delay) {
    try {
      executor.schedule(() -> attempt(delivery), delay.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      finish(delivery, e); // closing
    }
  }

  /** On the executor: one attempt; a failure is tried again later, up to {@link #ATTEMPTS}. */
  private void attempt(Delivery delivery) {
    try {
      send(delivery);
      finish(delivery, null);
    } catch (RuntimeException e) {
      delivery.attempts++;
      if (delivery.attempts >= ATTEMPTS || !retryable(e)) {
        failed.increment();
        PodLog.with(
            delivery.pod.key(),
            () ->
                LOG.warnf(
                    "pod %s: cannot record its %s Event after %d attempts, giving up: %s",
                    delivery.pod.key(),
                    delivery.problem.reason(),
                    delivery.attempts,
                    e.getMessage()));
        finish(delivery, e);
        return;
      }
      Duration pause = delivery.backoff.next();
      PodLog.with(
          delivery.pod.key(),
          () ->
              LOG.debugf(
                  "pod %s: recording its %s Event failed (%s); next attempt in %d ms",
                  delivery.pod.key(), delivery.problem.reason(), e.getMessage(), pause.toMillis()));
      schedule(delivery, pause);
    }
  }

  private void finish(Delivery delivery, Throwable error) {
    waiting.decrementAndGet();
    if (error == null) {
      delivery.done.complete(null);
    } else {
      delivery.done.completeExceptionally(error);
    }
  }

  /** Worth another try: the API away, overloaded or failing, or not allowing it yet (RBAC). */
  private static boolean retryable(RuntimeException e) {
    if (!(e instanceof KubernetesClientException k)) {
      return false;
    }
    int code = k.getCode();
    return code == 0 || code == 403 || code == 409 || code == 429 || code >= 500;
  }

  /** Creates the Event or, when it exists (a repeat), raises its count. */
  private void send(Delivery delivery) {
    PodMeta pod = delivery.pod;
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    try {
      events(pod).resource(event(pod, delivery.problem, delivery.name, now)).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      repeat(pod, delivery.name, now);
    }
  }

  /** The Event exists: count one more, seen now. Gone meanwhile: the next attempt creates it. */
  private void repeat(PodMeta pod, String name, String now) {
    Resource<Event> resource = events(pod).withName(name);
    Event existing = resource.get();
    if (existing == null) {
      throw new KubernetesClientException(
          "Event " + name + " vanished; creating it again", 409, null);
    }
    int count = existing.getCount() == null ? 1 : existing.getCount();
    resource.patch(
        PatchContext.of(PatchType.JSON_MERGE),
        "{\"count\":" + (count + 1) + ",\"lastTimestamp\":\"" + now + "\"}");
  }

  private NonNamespaceOperation<Event, EventList, Resource<Event>> events(PodMeta pod) {
    return client.v1().events().inNamespace(pod.namespace());
  }

  private Event event(PodMeta pod, PolicyProblem problem, String name, String now) {
    return warning(name, pod, problem.reason().name(), problem.message(), now);
  }

  /** A Warning Event {@code name} on {@code pod} (its uid when known), first seen {@code now}. */
  private Event warning(String name, PodMeta pod, String reason, String message, String now) {
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
        .withReason(reason)
        .withMessage(message)
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

  /** One Event on its way: attempts and backoff are touched only on the executor. */
  private final class Delivery {
    final PodMeta pod;
    final PolicyProblem problem;
    final String name;
    final CompletableFuture<Void> done = new CompletableFuture<>();
    final Backoff backoff = new Backoff(backoffMin, backoffMax, random);
    int attempts;

    Delivery(PodMeta pod, PolicyProblem problem) {
      this.pod = pod;
      this.problem = problem;
      this.name = name(pod, problem);
    }
  }
}
