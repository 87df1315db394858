package io.calicowebhook.reconciler;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.worker.PolicyProblem;
import io.calicowebhook.worker.ProblemReports;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Events are delivered at least once per problem, against a small API server of the test's own that
 * fails Event writes as told (fabric8's own HTTP retries are off, so every failure reaches the
 * recorder): refused or failing creates are tried again and land later; a repeat raises the Event's
 * count; a full queue drops, counts, and leaves the problem unreported so that it is reported
 * again.
 */
class PodEventsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EVENTS = "/api/v1/namespaces/shop/events";
  private static final Duration SOON = Duration.ofSeconds(10);

  private final FakeApi api = new FakeApi();
  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
  private KubernetesClient client;
  private PodEvents events;

  @BeforeEach
  void start() throws IOException {
    api.start();
    Config config =
        new ConfigBuilder()
            .withMasterUrl("http://127.0.0.1:" + api.port())
            .withRequestRetryBackoffLimit(0)
            .withRequestTimeout(10_000)
            .build();
    client = new KubernetesClientBuilder().withConfig(config).build();
  }

  @AfterEach
  void stop() {
    events.close();
    client.close();
    api.stop();
  }

  @Test
  void refusedAndFailingCreatesAreTriedAgainUntilTheEventLands() throws Exception {
    events = recorder(10);
    api.answer("POST", 403, 500, 403);

    CompletableFuture<Void> done = events.record(pod(), problem()).toCompletableFuture();

    done.get(SOON.toSeconds(), TimeUnit.SECONDS);
    List<Request> posts = api.requests("POST");
    assertEquals(4, posts.size(), "three failures, then the create that landed");
    JsonNode event = JSON.readTree(posts.get(3).body());
    assertEquals("InvalidCalicoPolicy", event.path("reason").asText());
    assertEquals(1, event.path("count").asInt());
    assertEquals(PodEvents.name(pod(), problem()), event.at("/metadata/name").asText());
  }

  @Test
  void givesUpAfterItsAttemptsAndCountsIt() {
    events = recorder(10);
    api.answer("POST", 500, 500, 500, 500, 500, 500, 500, 500, 500, 500);

    CompletableFuture<Void> done = events.record(pod(), problem()).toCompletableFuture();

    await().atMost(SOON).until(done::isDone);
    assertTrue(done.isCompletedExceptionally());
    assertEquals(PodEvents.ATTEMPTS, api.requests("POST").size());
    assertEquals(1.0, metrics.counter("calico.events.failed").count());
  }

  @Test
  void aRepeatRaisesTheCountOfTheExistingEvent() throws Exception {
    events = recorder(10);
    String name = PodEvents.name(pod(), problem());
    api.answer("POST", 409);
    api.existing(name, 3);

    events.record(pod(), problem()).toCompletableFuture().get(SOON.toSeconds(), TimeUnit.SECONDS);

    List<Request> patches = api.requests("PATCH");
    assertEquals(1, patches.size());
    assertEquals(EVENTS + "/" + name, patches.get(0).path());
    JsonNode patch = JSON.readTree(patches.get(0).body());
    assertEquals(4, patch.path("count").asInt());
    assertFalse(patch.path("lastTimestamp").asText().isEmpty(), patch.toString());
  }

  @Test
  void aProblemFixedAndBrokenAgainIsRecordedAgainAsARepeat() throws Exception {
    events = recorder(10);
    ProblemReports reports = new ProblemReports(events);
    reports.report(pod(), problem());
    await().atMost(SOON).until(() -> reports.reported(pod(), problem()));
    reports.report(pod(), problem()); // met again, still broken: nothing new
    assertEquals(1, api.requests("POST").size());

    String name = PodEvents.name(pod(), problem());
    api.answer("POST", 409);
    api.existing(name, 1);
    reports.forget(pod().key()); // the policy was fixed
    reports.report(pod(), problem()); // and broken again

    await().atMost(SOON).until(() -> api.requests("PATCH").size() == 1);
    assertEquals(2, JSON.readTree(api.requests("PATCH").get(0).body()).path("count").asInt());
  }

  @Test
  void aFullQueueDropsCountsAndLeavesTheProblemToBeReportedAgain() throws Exception {
    events = recorder(1);
    ProblemReports reports = new ProblemReports(events);
    PodMeta stuck = pod("stuck");
    PodMeta other = pod("other");
    api.hold(); // the API hangs on the first Event

    reports.report(stuck, problem());
    await().atMost(SOON).until(() -> api.requests("POST").size() == 1);
    reports.report(other, problem()); // one Event waits already: dropped

    assertEquals(1.0, metrics.counter("calico.events.dropped").count());
    assertEquals(1, events.dropped());
    assertFalse(reports.reported(other, problem()));

    api.release();
    await().atMost(SOON).until(() -> reports.reported(stuck, problem()));
    reports.report(other, problem()); // met again: recorded now

    await().atMost(SOON).until(() -> reports.reported(other, problem()));
    assertEquals(2, api.requests("POST").size());
    assertTrue(
        api.requests("POST").get(1).body().contains("\"name\":\"other\""),
        api.requests("POST").get(1).body());
  }

  private PodEvents recorder(int capacity) {
    return new PodEvents(
        client,
        "calico-policy-webhook",
        "replica-under-test",
        metrics,
        capacity,
        Duration.ofMillis(10),
        Duration.ofMillis(40));
  }

  private static PodMeta pod() {
    return pod("web");
  }

  private static PodMeta pod(String name) {
    return new PodMeta("shop", name, "uid-" + name, Map.of(), Map.of(), false);
  }

  private static PolicyProblem problem() {
    return new PolicyProblem(
        PolicyProblem.Reason.InvalidCalicoPolicy, "does not parse", "policy=allow tcp to ports X");
  }

  /** One request the API received. */
  record Request(String method, String path, String body) {}

  /**
   * Answers Event calls: each method's scripted statuses first (in order), then success: a create
   * returns what it got, a read of a known Event returns it with its count, a patch returns {}.
   */
  static final class FakeApi {
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Deque<Integer>> scripts =
        new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Integer> existing = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile CountDownLatch held = new CountDownLatch(0);
    private HttpServer server;

    void start() throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/", this::handle);
      server.setExecutor(Executors.newCachedThreadPool());
      server.start();
    }

    int port() {
      return server.getAddress().getPort();
    }

    void stop() {
      held.countDown();
      server.stop(0);
    }

    synchronized void answer(String method, int... statuses) {
      Deque<Integer> script = scripts.computeIfAbsent(method, m -> new ArrayDeque<>());
      for (int status : statuses) {
        script.add(status);
      }
    }

    void existing(String name, int count) {
      existing.put(name, count);
    }

    void hold() {
      held = new CountDownLatch(1);
    }

    void release() {
      held.countDown();
    }

    List<Request> requests(String method) {
      return requests.stream().filter(r -> r.method().equals(method)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      requests.add(new Request(method, path, body));
      try {
        held.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Integer scripted;
      synchronized (this) {
        Deque<Integer> script = scripts.get(method);
        scripted = script == null ? null : script.poll();
      }
      if (scripted != null) {
        respond(exchange, scripted, status(scripted));
      } else if (method.equals("GET")) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        Integer count = existing.get(name);
        if (count == null) {
          respond(exchange, 404, status(404));
        } else {
          respond(
              exchange,
              200,
              "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"metadata\":{\"name\":\""
                  + name
                  + "\",\"namespace\":\"shop\"},\"count\":"
                  + count
                  + "}");
        }
      } else if (method.equals("POST")) {
        respond(exchange, 201, body);
      } else {
        respond(exchange, 200, "{\"apiVersion\":\"v1\",\"kind\":\"Event\"}");
      }
    }

    private static String status(int code) {
      return "{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"status\":\"Failure\",\"code\":"
          + code
          + ",\"message\":\"scripted\"}";
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    }
  }
}
