package io.calicowebhook.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemTrustOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A caller without an acceptable client certificate is answered before the service reads its body,
 * and an over-long body is refused while it streams: each body here is sent slowly, 64 KiB at a
 * time, and the answer must come while the client is still sending, after at most a few chunks
 * (what the sockets' buffers took in). Real HTTPS, real certificates, HTTP/1.1 chunked and HTTP/2.
 */
@QuarkusTest
@TestProfile(ClientNamesHttpsTest.WithClientNames.class)
class BodyUnreadTest {
  private static final int CHUNK = 64 * 1024;
  private static final long TEN_MIB = 10L * 1024 * 1024;

  /** What the client may have sent when the answer arrives: far less than the body. */
  private static final long SENT_BOUND = 2L * 1024 * 1024;

  @TestHTTPResource(value = "/", tls = true)
  URL base;

  @ParameterizedTest
  @ValueSource(strings = {"/validate", "/mutate", "/validate/", "//mutate//"})
  void answersChunkedPostWithoutCertificateWith401BeforeReadingIt(String path) throws Exception {
    Answer answer = chunkedPost(Tls.context(null, null), path, TEN_MIB);
    assertEquals(401, answer.status(), answer.body());
    assertEquals(
        "{\"error\":\"client certificate required: present one signed by the configured client"
            + " CA\"}",
        answer.body());
    assertTrue(answer.contentType().startsWith("application/json"), answer.contentType());
    answer.assertAnsweredEarly();
  }

  @Test
  void answersChunkedPostWithCertificateOfAnotherNameWith403BeforeReadingIt() throws Exception {
    Answer answer =
        chunkedPost(Tls.context(ClientNamesHttpsTest.CLIENT_CA, "intruder"), "/mutate", TEN_MIB);
    assertEquals(403, answer.status(), answer.body());
    assertTrue(answer.body().contains("client certificate not allowed"), answer.body());
    answer.assertAnsweredEarly();
  }

  @Test
  void refusesChunkedBodyOverTheLimitWhileItStreams() throws Exception {
    Answer answer =
        chunkedPost(
            Tls.context(ClientNamesHttpsTest.CLIENT_CA, "kube-apiserver"),
            "/validate",
            2 * BodyLimit.MAX_BYTES);
    long cap =
        ConfigProvider.getConfig()
            .getValue("quarkus.http.limits.max-body-size", MemorySize.class)
            .asLongValue();
    assertEquals(413, answer.status(), answer.body());
    assertTrue(
        answer.sentWhenAnswered() < cap + SENT_BOUND,
        "sent " + answer.sentWhenAnswered() + " bytes before the answer");
    assertFalse(answer.finished(), "the client was still sending");
  }

  @Test
  void answersHttp2PostWithoutCertificateWith401BeforeReadingIt() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      HttpClient client =
          vertx.createHttpClient(
              new HttpClientOptions()
                  .setProtocolVersion(HttpVersion.HTTP_2)
                  .setSsl(true)
                  .setUseAlpn(true)
                  .setTrustOptions(
                      new PemTrustOptions()
                          .addCertPath(TestCertificates.SERVER.resolve("ca.crt").toString()))
                  .setDefaultHost(base.getHost())
                  .setDefaultPort(base.getPort()));
      AtomicLong sent = new AtomicLong();
      HttpClientRequest request =
          client
              .request(HttpMethod.POST, "/validate")
              .toCompletionStage()
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      request.putHeader("Content-Type", "application/json").setChunked(true);
      CompletableFuture<H2Answer> answer =
          request
              .response()
              .compose(
                  response -> {
                    long before = sent.get();
                    return response
                        .body()
                        .map(
                            body ->
                                new H2Answer(
                                    response.version(),
                                    response.statusCode(),
                                    body.toString(),
                                    before));
                  })
              .toCompletionStage()
              .toCompletableFuture();
      Buffer chunk = Buffer.buffer(new byte[CHUNK]);
      long timer =
          vertx.setPeriodic(
              20,
              tick -> {
                if (!answer.isDone() && sent.get() < TEN_MIB && !request.writeQueueFull()) {
                  request.write(chunk);
                  sent.addAndGet(CHUNK);
                }
              });
      H2Answer response = answer.get(60, TimeUnit.SECONDS);
      vertx.cancelTimer(timer);
      String body = response.body();

      assertEquals(HttpVersion.HTTP_2, response.version());
      assertEquals(401, response.status(), body);
      assertTrue(body.contains("client certificate required"), body);
      assertTrue(
          response.sentWhenAnswered() < SENT_BOUND,
          "sent " + response.sentWhenAnswered() + " bytes before the answer");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** After each refusal, the service still answers a real review. */
  @AfterEach
  void keepsServing() throws Exception {
    HttpResponse<String> response =
        Tls.postJson(
            base,
            "validate",
            Tls.context(ClientNamesHttpsTest.CLIENT_CA, "kube-apiserver"),
            Fixtures.bytes(Fixtures.review("validate", "create-with-valid-policy")));
    assertEquals(200, response.statusCode(), response.body());
  }

  /** What an HTTP/2 POST got back, and how much of its body was out when it did. */
  private record H2Answer(HttpVersion version, int status, String body, long sentWhenAnswered) {}

  /** What a slow chunked POST got back, and how much of its body was out when it did. */
  private record Answer(
      int status, String contentType, String body, long sentWhenAnswered, boolean finished) {
    void assertAnsweredEarly() {
      assertTrue(
          sentWhenAnswered < SENT_BOUND, "sent " + sentWhenAnswered + " bytes before the answer");
      assertFalse(finished, "the client was still sending");
    }
  }

  /**
   * POSTs {@code size} bytes of JSON whitespace over HTTP/1.1, chunked, 64 KiB every 20 ms, on one
   * thread, while this one reads the answer.
   */
  private Answer chunkedPost(SSLContext context, String path, long size) throws Exception {
    try (SSLSocket socket =
        (SSLSocket) context.getSocketFactory().createSocket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(60_000);
      OutputStream out = socket.getOutputStream();
      String head =
          "POST "
              + path
              + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
              + "Transfer-Encoding: chunked\r\n\r\n";
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      AtomicLong sent = new AtomicLong();
      AtomicBoolean finished = new AtomicBoolean();
      Thread writer =
          new Thread(
              () -> {
                byte[] chunk = new byte[CHUNK];
                Arrays.fill(chunk, (byte) ' ');
                byte[] size16 =
                    (Integer.toHexString(CHUNK) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                try {
                  while (sent.get() < size) {
                    out.write(size16);
                    out.write(chunk);
                    out.write(new byte[] {'\r', '\n'});
                    out.flush();
                    sent.addAndGet(CHUNK);
                    Thread.sleep(20);
                  }
                  out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                  out.flush();
                  finished.set(true);
                } catch (IOException | InterruptedException e) {
                  // the server closed the connection, or the test is over
                }
              },
              "slow-body");
      writer.setDaemon(true);
      writer.start();
      try {
        return read(socket.getInputStream(), sent, finished);
      } finally {
        writer.interrupt();
      }
    }
  }

  private static Answer read(InputStream in, AtomicLong sent, AtomicBoolean finished)
      throws IOException {
    String statusLine = line(in);
    long sentWhenAnswered = sent.get();
    boolean finishedWhenAnswered = finished.get();
    int length = 0;
    String type = "";
    for (String header = line(in); !header.isEmpty(); header = line(in)) {
      String name = header.substring(0, header.indexOf(':')).trim().toLowerCase(Locale.ROOT);
      String value = header.substring(header.indexOf(':') + 1).trim();
      if (name.equals("content-length")) {
        length = Integer.parseInt(value);
      } else if (name.equals("content-type")) {
        type = value;
      }
    }
    String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    return new Answer(status, type, body, sentWhenAnswered, finishedWhenAnswered);
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new IOException("connection closed before a whole answer: " + line);
      }
      line.write(b);
    }
    return line.toString(StandardCharsets.US_ASCII).stripTrailing();
  }
}
