package io.calicowebhook.sync;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.calicowebhook.admission.Tls;
import io.calicowebhook.etcd.EtcdKeys;
import io.calicowebhook.etcd.EtcdKv;
import io.calicowebhook.etcd.EtcdProcess;
import io.calicowebhook.etcd.EtcdResource;
import io.calicowebhook.etcd.EtcdResource.InjectEtcd;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * etcd goes away while pods keep being admitted through {@code /validate}: admission stays as fast
 * as before, and every profile arrives once etcd is back with its data.
 */
@QuarkusTest
@WithTestResource(EtcdResource.class)
class OutageTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PODS = 200;

  /** Generous: admission must not wait on etcd, which would make it orders of magnitude slower. */
  private static final double MAX_SLOWDOWN = 5.0;

  @InjectEtcd EtcdProcess etcd;

  @TestHTTPResource(value = "/", tls = true)
  URL base;

  @Inject ModeSwitch sync;

  /** One keep-alive HTTPS connection trusting only the test CA, as the kube-apiserver keeps. */
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .sslContext(Tls.context(null, null))
          .build();

  @Test
  void keepsAdmittingAndProgramsEveryProfileAfterTheOutage() throws Exception {
    ObjectNode template =
        (ObjectNode)
            JSON.readTree(
                AdmittedToEtcdTest.fixtures()
                    .resolve("create-without-policy-isolates-namespace/1-review.json")
                    .toFile());
    admit(template, "warmup", PODS / 2);
    long before = admit(template, "before", PODS);
    await().atMost(Duration.ofSeconds(60)).until(() -> sync.pending() == 0);

    etcd.stop();
    long during;
    try {
      during =
          assertTimeoutPreemptively(Duration.ofSeconds(60), () -> admit(template, "during", PODS));
      assertTrue(sync.pending() > 0, "profiles wait for etcd");
    } finally {
      etcd.start();
    }

    System.out.printf(
        "admission: %d us per pod before the outage, %d us during%n",
        before / PODS / 1000, during / PODS / 1000);
    assertTrue(
        during < before * MAX_SLOWDOWN,
        "admission took "
            + during / PODS / 1000
            + " us per pod during the outage, "
            + before / PODS / 1000
            + " us before");
    try (EtcdKv kv = new EtcdKv(etcd.endpoint())) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> kv.count(EtcdKeys.OWNER_PREFIX + "during_") == PODS);
      assertEquals(2L * PODS, kv.count(EtcdKeys.PROFILE_PREFIX + "during_"));
      assertEquals(PODS, kv.count(EtcdKeys.OWNER_PREFIX + "before_"));
    }
  }

  /** Admits {@code count} pods of namespace {@code namespace}; returns the nanoseconds taken. */
  private long admit(ObjectNode template, String namespace, int count) throws IOException {
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      post(review(template, namespace, "pod-" + i));
    }
    return System.nanoTime() - start;
  }

  private static byte[] review(ObjectNode template, String namespace, String name)
      throws IOException {
    ObjectNode review = template.deepCopy();
    ObjectNode request = (ObjectNode) review.get("request");
    ObjectNode metadata = (ObjectNode) request.get("object").get("metadata");
    request.put("namespace", namespace).put("name", name);
    metadata.put("namespace", namespace).put("name", name).put("uid", namespace + "-" + name);
    return JSON.writeValueAsBytes(review);
  }

  private void post(byte[] review) throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + "validate"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(review))
            .build();
    try {
      HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
      assertEquals(200, answer.statusCode(), answer.body());
      assertTrue(answer.body().contains("\"allowed\":true"), answer.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
