package io.calicowebhook.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The webhook port speaks TLS 1.2 and 1.3 only, as the kube-apiserver and auditors expect. */
@QuarkusTest
class TlsProtocolsTest {
  @TestHTTPResource(value = "/", tls = true)
  URL base;

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
  void negotiatesModernProtocol(String protocol) throws IOException {
    try (SSLSocket socket =
        (SSLSocket)
            Tls.context(null, null).getSocketFactory().createSocket("localhost", base.getPort())) {
      socket.setEnabledProtocols(new String[] {protocol});
      socket.startHandshake();
      assertEquals(protocol, socket.getSession().getProtocol());
    }
  }

  /**
   * The JDK client will not even offer TLS 1.0/1.1, so OpenSSL (installed by {@code make deps})
   * offers them at security level 0; the server must answer with a protocol_version alert.
   */
  @ParameterizedTest
  @ValueSource(strings = {"-tls1", "-tls1_1"})
  void refusesLegacyProtocolWithProtocolVersionAlert(String flag) throws Exception {
    Process client =
        new ProcessBuilder(
                "openssl",
                "s_client",
                "-connect",
                "127.0.0.1:" + base.getPort(),
                flag,
                "-cipher",
                "DEFAULT@SECLEVEL=0")
            .redirectErrorStream(true)
            .start();
    client.getOutputStream().close();
    assertTrue(client.waitFor(30, TimeUnit.SECONDS), "openssl s_client did not finish");
    String output = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertNotEquals(0, client.exitValue(), output);
    assertTrue(output.contains("alert protocol version"), output);
  }
}
