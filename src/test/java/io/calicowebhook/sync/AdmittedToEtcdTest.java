package io.calicowebhook.sync;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whole AdmissionReview documents under {@code src/test/resources/etcd/<case>/} are posted to
 * {@code /validate} over HTTPS in order ({@code 1-review.json}, {@code 2-review.json}, ...); then
 * {@code expected.json} names the profile id and its exact rules and tags in etcd, or null for both
 * when nothing may be written (dry runs, denied pods, non-Pods, host-network pods).
 */
@QuarkusTest
@WithTestResource(EtcdResource.class)
public class AdmittedToEtcdTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration PROGRAMMED = Duration.ofSeconds(30);

  @InjectEtcd EtcdProcess etcd;

  @TestHTTPResource(value = "/", tls = true)
  URL base;

  @Inject ModeSwitch sync;

  private EtcdKv kv;

  @BeforeEach
  void connect() {
    kv = new EtcdKv(etcd.endpoint());
  }

  @AfterEach
  void disconnect() {
    kv.close();
  }

  static Stream<String> cases() throws IOException {
    try (Stream<Path> dirs = Files.list(fixtures())) {
      return dirs.map(dir -> dir.getFileName().toString()).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void admittedPodEndsUpInEtcdAsTheFixtureSays(String name) throws IOException {
    Path dir = fixtures().resolve(name);
    for (Path review : reviews(dir)) {
      post(Files.readAllBytes(review));
      await().atMost(PROGRAMMED).until(() -> sync.pending() == 0);
    }

    JsonNode expected = JSON.readTree(dir.resolve("expected.json").toFile());
    String id = expected.get("id").asText();
    if (expected.get("rules").isNull()) {
      assertEquals(Map.of(), kv.prefix(EtcdKeys.profileDir(id)), "nothing written for " + id);
      assertFalse(kv.get(EtcdKeys.owner(id)).isPresent());
    } else {
      assertEquals(expected.get("rules"), json(EtcdKeys.rules(id)));
      assertEquals(expected.get("tags"), json(EtcdKeys.tags(id)));
      assertEquals(List.of("uid", "namespace", "name"), fields(json(EtcdKeys.owner(id))));
    }
  }

  private void post(byte[] review) {
    Tls.given(base)
        .contentType("application/json")
        .body(review)
        .post("/validate")
        .then()
        .statusCode(200);
  }

  private JsonNode json(String key) throws IOException {
    return JSON.readTree(kv.value(key).orElseThrow(() -> new AssertionError("no " + key)));
  }

  private static List<String> fields(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<Path> reviews(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(f -> f.getFileName().toString().endsWith("-review.json"))
          .sorted()
          .toList();
    }
  }

  public static Path fixtures() {
    try {
      return Path.of(AdmittedToEtcdTest.class.getResource("/etcd").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
