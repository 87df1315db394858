package io.calicowebhook.etcd;

import io.etcd.jetcd.Client;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real etcd process for the tests of one class, started before the first test and stopped (its
 * data deleted) after the last; emptied before each test. Register it as a static field:
 *
 * <pre>{@code
 * @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();
 * }</pre>
 *
 * and reach etcd through {@link #kv()} (as etcdctl would), {@link #client()} (for the code under
 * test) or {@link #process()} (to stop and start it).
 */
public final class EtcdExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
  private final List<String> flags;
  private EtcdProcess process;
  private EtcdKv kv;
  private Client client;

  /** A default etcd. */
  public EtcdExtension() {
    this(List.of());
  }

  /** An etcd started with extra {@code flags}, e.g. {@code --max-request-bytes=300000}. */
  public EtcdExtension(List<String> flags) {
    this.flags = List.copyOf(flags);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    process = EtcdProcess.startTemporary(flags);
    kv = new EtcdKv(process.endpoint());
    client = Client.builder().endpoints(process.endpoint()).waitForReady(false).build();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (!process.running()) {
      process.start();
    }
    kv.deletePrefix("/");
  }

  @Override
  public void afterAll(ExtensionContext context) {
    client.close();
    kv.close();
    process.close();
  }

  /** The etcd process. */
  public EtcdProcess process() {
    return process;
  }

  /** Its client URL. */
  public String endpoint() {
    return process.endpoint();
  }

  /** Direct reads and writes, as an operator with etcdctl would. */
  public EtcdKv kv() {
    return kv;
  }

  /** A client for the code under test, as the service builds it: fails fast while etcd is down. */
  public Client client() {
    return client;
  }
}
