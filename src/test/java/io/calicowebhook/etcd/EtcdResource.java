package io.calicowebhook.etcd;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

/**
 * Starts a real etcd process on free loopback ports for a Quarkus test and hands its endpoint to
 * the application as {@code calico.etcd.endpoints}. A test field annotated {@link InjectEtcd} gets
 * the {@link EtcdProcess}, so the test can stop etcd and start it again with the same data.
 */
public class EtcdResource implements QuarkusTestResourceLifecycleManager {
  private EtcdProcess etcd;

  /** Marks the test's {@link EtcdProcess} field. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.FIELD)
  public @interface InjectEtcd {}

  @Override
  public Map<String, String> start() {
    etcd = EtcdProcess.startTemporary();
    return Map.of("calico.etcd.endpoints", etcd.endpoint());
  }

  @Override
  public void inject(TestInjector injector) {
    injector.injectIntoFields(
        etcd, new TestInjector.AnnotatedAndMatchesType(InjectEtcd.class, EtcdProcess.class));
  }

  @Override
  public void stop() {
    if (etcd != null) {
      etcd.close();
    }
  }
}
