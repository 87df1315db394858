package io.calicowebhook.etcd;

import io.calicowebhook.config.CalicoConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The checked etcd connection settings. {@link #from} reports every mistake of the configuration in
 * one message, so an operator fixes them in one round.
 *
 * @param endpoints client URLs; empty only when {@code devService} is set
 * @param devService start a private etcd because no endpoints are set
 * @param limits what one transaction may hold
 * @param maxResponseBytes largest response the client accepts
 * @param readPageSize keys per range request of a resync
 */
public record EtcdSettings(
    List<URI> endpoints,
    Optional<Path> caFile,
    Optional<Path> certFile,
    Optional<Path> keyFile,
    Optional<String> username,
    Optional<String> password,
    Duration requestTimeout,
    boolean devService,
    TxnLimits limits,
    int maxResponseBytes,
    int readPageSize) {
  /** Smallest byte budget of a transaction: a fail-closed profile must always fit. */
  public static final int MIN_TXN_BYTES = 64 * 1024;

  /**
   * Checks {@code config}.
   *
   * @throws IllegalStateException naming every bad setting and the variable that fixes it
   */
  public static EtcdSettings from(CalicoConfig.Etcd config) {
    List<String> problems = new ArrayList<>();
    EtcdSettings settings = from(config, problems);
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "invalid etcd configuration:\n  - " + String.join("\n  - ", problems));
    }
    return settings;
  }

  /**
   * Checks {@code config}, adding every mistake to {@code problems}.
   *
   * @return the settings, meaningful only when no problem was added
   */
  public static EtcdSettings from(CalicoConfig.Etcd config, List<String> problems) {
    int before = problems.size();
    List<URI> endpoints = endpoints(config.endpoints().orElse(List.of()), problems);
    boolean devService = endpoints.isEmpty() && config.devService().enabled();
    if (endpoints.isEmpty() && !devService && problems.size() == before) {
      problems.add(
          "no etcd endpoints: set ETCD_ENDPOINTS to the comma-separated client URLs of Calico's"
              + " etcd, e.g. ETCD_ENDPOINTS=https://10.0.0.1:2379,https://10.0.0.2:2379");
    }
    pair(config.certFile(), config.keyFile(), "ETCD_CERT_FILE", "ETCD_KEY_FILE", problems);
    pair(config.username(), config.password(), "ETCD_USERNAME", "ETCD_PASSWORD", problems);
    readable(config.caFile(), "ETCD_CA_FILE", problems);
    readable(config.certFile(), "ETCD_CERT_FILE", problems);
    readable(config.keyFile(), "ETCD_KEY_FILE", problems);
    if (config.requestTimeout().isNegative() || config.requestTimeout().isZero()) {
      problems.add("calico.etcd.request-timeout must be positive");
    }
    TxnLimits limits = limits(config, problems);
    if (config.maxResponseBytes() < 4 * 1024 * 1024) {
      problems.add("calico.etcd.max-response-bytes must be at least 4194304 (gRPC's default)");
    }
    if (config.readPageSize() < 1) {
      problems.add("calico.etcd.read-page-size must be at least 1");
    }
    return new EtcdSettings(
        endpoints,
        config.caFile(),
        config.certFile(),
        config.keyFile(),
        config.username(),
        config.password(),
        config.requestTimeout(),
        devService,
        limits,
        config.maxResponseBytes(),
        config.readPageSize());
  }

  private static TxnLimits limits(CalicoConfig.Etcd config, List<String> problems) {
    if (config.maxTxnOps() < TxnLimits.PUT_OPS) {
      problems.add("calico.etcd.max-txn-ops must be at least 3 (one profile)");
    }
    if (config.maxTxnBytes() < MIN_TXN_BYTES) {
      problems.add("calico.etcd.max-txn-bytes must be at least " + MIN_TXN_BYTES);
    }
    return config.maxTxnOps() >= TxnLimits.PUT_OPS && config.maxTxnBytes() >= MIN_TXN_BYTES
        ? new TxnLimits(config.maxTxnOps(), config.maxTxnBytes())
        : null;
  }

  /** Whether the connection uses TLS: any {@code https} endpoint or any certificate file. */
  public boolean tls() {
    return caFile.isPresent()
        || certFile.isPresent()
        || endpoints.stream().anyMatch(uri -> "https".equals(uri.getScheme()));
  }

  private static List<URI> endpoints(List<String> values, List<String> problems) {
    List<URI> endpoints = new ArrayList<>();
    for (String value : values) {
      String trimmed = value.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      URI uri = parse(trimmed);
      if (uri == null || uri.getHost() == null || uri.getPort() < 0 || !knownScheme(uri)) {
        problems.add(
            "ETCD_ENDPOINTS: '"
                + trimmed
                + "' is not a client URL such as http://127.0.0.1:2379 or https://etcd:2379");
      } else {
        endpoints.add(uri);
      }
    }
    return List.copyOf(endpoints);
  }

  private static URI parse(String value) {
    try {
      return new URI(value);
    } catch (java.net.URISyntaxException e) {
      return null;
    }
  }

  private static boolean knownScheme(URI uri) {
    return "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
  }

  private static void pair(
      Optional<?> first, Optional<?> second, String firstName, String secondName, List<String> p) {
    if (first.isPresent() && second.isEmpty()) {
      p.add(firstName + " is set but " + secondName + " is not: set both or neither");
    } else if (second.isPresent() && first.isEmpty()) {
      p.add(secondName + " is set but " + firstName + " is not: set both or neither");
    }
  }

  private static void readable(Optional<Path> file, String variable, List<String> problems) {
    file.filter(path -> !Files.isReadable(path))
        .ifPresent(path -> problems.add(variable + ": cannot read " + path));
  }
}
