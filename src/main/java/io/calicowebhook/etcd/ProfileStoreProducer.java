package io.calicowebhook.etcd;

import io.calicowebhook.config.CalicoConfig;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Makes the one {@link ProfileStore} on the service's etcd connection. */
public class ProfileStoreProducer {

  @Produces
  @Singleton
  ProfileStore profileStore(EtcdConnection etcd, CalicoConfig config, MeterRegistry metrics) {
    return new ProfileStore(
        etcd.client().getKVClient(),
        config.worker().maxTxnOps(),
        config.etcd().requestTimeout(),
        metrics);
  }
}
