package io.calicowebhook.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Reads and writes etcd directly in tests, as an operator with etcdctl would. */
public final class EtcdKv implements AutoCloseable {
  private final Client client;

  public EtcdKv(String endpoint) {
    this.client = Client.builder().endpoints(endpoint).build();
  }

  public Client client() {
    return client;
  }

  public Optional<KeyValue> get(String key) {
    List<KeyValue> kvs = call(client.getKVClient().get(bytes(key))).getKvs();
    return kvs.stream().findFirst();
  }

  public Optional<String> value(String key) {
    return get(key).map(kv -> kv.getValue().toString(UTF_8));
  }

  public long modRevision(String key) {
    return get(key).map(KeyValue::getModRevision).orElse(0L);
  }

  /** Every key under {@code prefix} with its value, in key order. */
  public Map<String, String> prefix(String prefix) {
    GetOption option = GetOption.builder().isPrefix(true).build();
    Map<String, String> all = new LinkedHashMap<>();
    call(client.getKVClient().get(bytes(prefix), option))
        .getKvs()
        .forEach(kv -> all.put(kv.getKey().toString(UTF_8), kv.getValue().toString(UTF_8)));
    return all;
  }

  public long count(String prefix) {
    GetOption option = GetOption.builder().isPrefix(true).withCountOnly(true).build();
    return call(client.getKVClient().get(bytes(prefix), option)).getCount();
  }

  public void put(String key, String value) {
    call(client.getKVClient().put(bytes(key), bytes(value)));
  }

  public void deletePrefix(String prefix) {
    call(
        client
            .getKVClient()
            .delete(
                bytes(prefix),
                io.etcd.jetcd.options.DeleteOption.builder().isPrefix(true).build()));
  }

  private static <T> T call(java.util.concurrent.CompletableFuture<T> future) {
    try {
      return future.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("etcd call failed", e);
    }
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, UTF_8);
  }

  @Override
  public void close() {
    client.close();
  }
}
