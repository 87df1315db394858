import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The admission benchmark's second baseline: the Vert.x the service runs on (its jars, the same
 * BoringSSL engine and epoll sockets), with no Quarkus and no admission work, answering every POST
 * with a fixed AdmissionReview once the whole body is in, over TLS 1.2/1.3 with the same
 * certificate, asking for a client certificate as the service does. Between nginx and the service
 * it shows what the JVM and Vert.x cost here, and what Quarkus's HTTP layer and the admission add.
 *
 * <p>Run as a single-file program on the service's class path: {@code java -cp
 * "target/quarkus-app/lib/main/*" bench/admission/BareVertx.java PORT CERT_DIR ANSWER_JSON}.
 */
public final class BareVertx {
  private BareVertx() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    Path certs = Path.of(args[1]);
    Buffer answer = Buffer.buffer(Files.readString(Path.of(args[2])).strip());
    // One event loop per core, as many as the service's HTTP server serves its port with here.
    int loops = Runtime.getRuntime().availableProcessors();
    Vertx vertx =
        Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(loops));
    boolean openSsl = OpenSSLEngineOptions.isAvailable();
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost("127.0.0.1")
            .setPort(port)
            .setSsl(true)
            .setEnabledSecureTransportProtocols(java.util.Set.of("TLSv1.2", "TLSv1.3"))
            .setKeyCertOptions(
                new PemKeyCertOptions()
                    .setCertPath(certs.resolve("tls.crt").toString())
                    .setKeyPath(certs.resolve("tls.key").toString()))
            .setClientAuth(ClientAuth.REQUEST)
            .setTrustOptions(new PemTrustOptions().addCertPath(certs.resolve("ca.crt").toString()))
            .setSslEngineOptions(openSsl ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions());
    vertx
        .deployVerticle(
            () ->
                new AbstractVerticle() {
                  @Override
                  public void start(Promise<Void> started) {
                    vertx
                        .createHttpServer(options)
                        .requestHandler(
                            request ->
                                request
                                    .body()
                                    .onSuccess(
                                        body ->
                                            request
                                                .response()
                                                .putHeader("content-type", "application/json")
                                                .end(answer)))
                        .listen()
                        .<Void>mapEmpty()
                        .onComplete(started);
                  }
                },
            new DeploymentOptions().setInstances(loops))
        .toCompletionStage()
        .toCompletableFuture()
        .get();
    System.out.println(
        String.join(
            ", ",
            List.of(
                "bare Vert.x on " + port,
                loops + " event loops",
                openSsl ? "BoringSSL (netty-tcnative)" : "the JDK's TLS engine",
                vertx.isNativeTransportEnabled() ? "epoll" : "Java NIO")));
  }
}
