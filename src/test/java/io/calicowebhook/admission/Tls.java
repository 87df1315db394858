package io.calicowebhook.admission;

import static java.net.http.HttpResponse.BodyHandlers.ofString;

import io.restassured.RestAssured;
import io.restassured.config.RestAssuredConfig;
import io.restassured.config.SSLConfig;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** Test-side TLS: trust the test CA, present client certificates, read the served certificate. */
public final class Tls {
  private static final char[] PASSWORD = "test".toCharArray();

  private Tls() {}

  /**
   * A RestAssured request to {@code base} that trusts only the test CA, hostnames verified. Of
   * {@code base} only the origin counts (the management interface's URL carries its root path).
   */
  public static RequestSpecification given(URL base) {
    KeyStore trust = trustStore(TestCertificates.SERVER.resolve("ca.crt"));
    return RestAssured.given()
        .baseUri(origin(base).toString())
        .config(RestAssuredConfig.config().sslConfig(SSLConfig.sslConfig().trustStore(trust)));
  }

  public static KeyStore trustStore(Path caPem) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setCertificateEntry("ca", certificate(caPem));
      return store;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * An SSL context trusting the test server CA, presenting {@code name}.crt/.key from {@code dir}
   * when given.
   */
  public static SSLContext context(Path clientDir, String clientName) {
    try {
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trustStore(TestCertificates.SERVER.resolve("ca.crt")));
      KeyManagerFactory keys = null;
      if (clientName != null) {
        keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(keyStore(clientDir, clientName), PASSWORD);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A POST of {@code body} as JSON to {@code path} under {@code base} over a fresh connection that
   * presents the client certificate {@code context} holds, if any.
   */
  public static HttpResponse<String> postJson(
      URL base, String path, SSLContext context, byte[] body)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    return HttpClient.newBuilder().sslContext(context).build().send(request, ofString());
  }

  /**
   * Scheme, host and port of a test URL: a {@code @TestHTTPResource(management = true)} URL ends in
   * Quarkus's management root path ({@code /q/}), which paths such as {@code /q/health} repeat.
   */
  public static URL origin(URL url) {
    try {
      return new URL(url.getProtocol(), url.getHost(), url.getPort(), "");
    } catch (java.net.MalformedURLException e) {
      throw new IllegalArgumentException(url.toString(), e);
    }
  }

  /** A GET of {@code path} under {@code base}, presenting what {@code context} holds. */
  public static HttpResponse<String> get(URL base, String path, SSLContext context)
      throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).build();
    return HttpClient.newBuilder().sslContext(context).build().send(request, ofString());
  }

  /** The serial number of the certificate the server presents in a real handshake now. */
  public static BigInteger servedSerial(int port) throws IOException {
    try (SSLSocket socket =
        (SSLSocket) context(null, null).getSocketFactory().createSocket("localhost", port)) {
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  public static X509Certificate certificate(Path pem) {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyStore keyStore(Path dir, String name) throws GeneralSecurityException {
    try {
      String pem = Files.readString(dir.resolve(name + ".key"));
      String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
      PrivateKey key =
          KeyFactory.getInstance("RSA")
              .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      Certificate[] chain = {certificate(dir.resolve(name + ".crt"))};
      store.setKeyEntry(name, key, PASSWORD, chain);
      return store;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
