package io.calicowebhook.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calicowebhook.config.CalicoConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start-up check of the etcd connection settings. */
class EtcdSettingsTest {
  @TempDir Path dir;

  @Test
  void productionWithoutEndpointsRefusesToStartNamingTheVariable() {
    IllegalStateException refused =
        assertThrows(IllegalStateException.class, () -> EtcdSettings.from(config().build()));

    assertTrue(refused.getMessage().contains("set ETCD_ENDPOINTS"), refused.getMessage());
  }

  @Test
  void devServiceStartsPrivateEtcdOnlyWithoutEndpoints() {
    assertTrue(EtcdSettings.from(config().devService(true).build()).devService());

    EtcdSettings configured =
        EtcdSettings.from(config().devService(true).endpoints("http://127.0.0.1:2379").build());

    assertFalse(configured.devService());
    assertEquals(List.of(URI.create("http://127.0.0.1:2379")), configured.endpoints());
  }

  @Test
  void acceptsSeveralEndpointsWithSpaces() {
    EtcdSettings settings =
        EtcdSettings.from(config().endpoints("https://a:2379", " https://b:2379 ").build());

    assertEquals(
        List.of(URI.create("https://a:2379"), URI.create("https://b:2379")), settings.endpoints());
    assertTrue(settings.tls());
  }

  @Test
  void rejectsEndpointWithoutSchemeOrPort() {
    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class,
            () -> EtcdSettings.from(config().endpoints("etcd:2379", "http://etcd").build()));

    assertTrue(refused.getMessage().contains("'etcd:2379' is not a client URL"));
    assertTrue(refused.getMessage().contains("'http://etcd' is not a client URL"));
  }

  @Test
  void reportsEveryMistakeInOneMessage() throws IOException {
    Path cert = Files.writeString(dir.resolve("client.crt"), "cert");

    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class,
            () ->
                EtcdSettings.from(
                    config()
                        .endpoints("https://etcd:2379")
                        .cert(cert)
                        .password("secret")
                        .ca(dir.resolve("missing-ca.crt"))
                        .build()));

    String message = refused.getMessage();
    assertTrue(message.contains("ETCD_CERT_FILE is set but ETCD_KEY_FILE is not"), message);
    assertTrue(message.contains("ETCD_PASSWORD is set but ETCD_USERNAME is not"), message);
    assertTrue(message.contains("ETCD_CA_FILE: cannot read"), message);
  }

  @Test
  void acceptsCompleteTlsAndAuthentication() throws IOException {
    Path ca = Files.writeString(dir.resolve("ca.crt"), "ca");
    Path cert = Files.writeString(dir.resolve("client.crt"), "cert");
    Path key = Files.writeString(dir.resolve("client.key"), "key");

    EtcdSettings settings =
        EtcdSettings.from(
            config()
                .endpoints("http://etcd:2379")
                .ca(ca)
                .cert(cert)
                .key(key)
                .user("calico")
                .password("secret")
                .build());

    assertTrue(settings.tls());
    assertEquals(Optional.of("calico"), settings.username());
  }

  private static Builder config() {
    return new Builder();
  }

  /** A hand-filled configuration, as SmallRye Config would map it. */
  static final class Builder {
    private List<String> endpoints;
    private Path ca;
    private Path cert;
    private Path key;
    private String user;
    private String password;
    private boolean devService;

    Builder endpoints(String... values) {
      endpoints = List.of(values);
      return this;
    }

    Builder ca(Path value) {
      ca = value;
      return this;
    }

    Builder cert(Path value) {
      cert = value;
      return this;
    }

    Builder key(Path value) {
      key = value;
      return this;
    }

    Builder user(String value) {
      user = value;
      return this;
    }

    Builder password(String value) {
      password = value;
      return this;
    }

    Builder devService(boolean value) {
      devService = value;
      return this;
    }

    CalicoConfig.Etcd build() {
      return new CalicoConfig.Etcd() {
        @Override
        public Optional<List<String>> endpoints() {
          return Optional.ofNullable(endpoints);
        }

        @Override
        public Optional<Path> caFile() {
          return Optional.ofNullable(ca);
        }

        @Override
        public Optional<Path> certFile() {
          return Optional.ofNullable(cert);
        }

        @Override
        public Optional<Path> keyFile() {
          return Optional.ofNullable(key);
        }

        @Override
        public Optional<String> username() {
          return Optional.ofNullable(user);
        }

        @Override
        public Optional<String> password() {
          return Optional.ofNullable(password);
        }

        @Override
        public Duration requestTimeout() {
          return Duration.ofSeconds(5);
        }

        @Override
        public int maxTxnOps() {
          return 128;
        }

        @Override
        public int maxTxnBytes() {
          return 1_400_000;
        }

        @Override
        public int maxResponseBytes() {
          return 32 * 1024 * 1024;
        }

        @Override
        public int readPageSize() {
          return 1000;
        }

        @Override
        public DevService devService() {
          return () -> devService;
        }
      };
    }
  }
}
