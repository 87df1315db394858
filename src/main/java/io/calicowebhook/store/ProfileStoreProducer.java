package io.calicowebhook.store;

import io.calicowebhook.etcd.EtcdConnection;
import io.calicowebhook.etcd.EtcdSettings;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Makes the one {@link ProfileStore} on the service's etcd connection. */
public class ProfileStoreProducer {

  @Produces
  @Singleton
  OwnRevisions ownRevisions() {
    return new OwnRevisions();
  }

  @Produces
  @Singleton
  ProfileStore profileStore(EtcdConnection etcd, OwnRevisions own, MeterRegistry metrics) {
    EtcdSettings settings = etcd.settings();
    return new ProfileStore(
        etcd.client().getKVClient(), settings.limits(), settings.requestTimeout(), metrics, own);
  }
}
