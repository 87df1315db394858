package io.calicowebhook.certs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calicowebhook.config.CalicoConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The settings of the service-owned certificates, as start-up checks them. */
class CertsSettingsTest {
  private static final Duration RELOAD = Duration.ofMinutes(1);

  /** The defaults of CalicoConfig.Certs, each replaceable. */
  record Certs(
      String serviceName,
      String clusterDomain,
      Duration validity,
      Optional<Duration> renewBefore,
      Duration caValidity,
      Optional<Duration> caRenewBefore,
      Duration overlap,
      Duration checkPeriod)
      implements CalicoConfig.Certs {
    static Certs defaults() {
      return new Certs(
          "hooks",
          "cluster.local",
          Duration.ofDays(365),
          Optional.empty(),
          Duration.ofDays(3650),
          Optional.empty(),
          Duration.ofMinutes(10),
          Duration.ofMinutes(1));
    }

    @Override
    public boolean enabled() {
      return true;
    }

    @Override
    public String secretName() {
      return "hooks-certs";
    }

    @Override
    public Optional<String> namespace() {
      return Optional.empty();
    }

    @Override
    public Optional<String> validatingWebhook() {
      return Optional.empty();
    }

    @Override
    public Optional<String> mutatingWebhook() {
      return Optional.of("hooks-mutating");
    }
  }

  @Test
  void defaultsRenewAtAThirdAndNameTheServiceFourWays() {
    CertsSettings settings = CertsSettings.check(Certs.defaults(), "webhooks", RELOAD);

    assertEquals(Duration.ofDays(365).dividedBy(3), settings.renewBefore());
    assertEquals(Duration.ofDays(3650).dividedBy(3), settings.caRenewBefore());
    assertEquals(
        List.of(
            "hooks", "hooks.webhooks", "hooks.webhooks.svc", "hooks.webhooks.svc.cluster.local"),
        settings.dnsNames());
    assertEquals("hooks", settings.validatingWebhook(), "defaults to the Service's name");
    assertEquals("hooks-mutating", settings.mutatingWebhook());
  }

  @Test
  void anOverlapNoLongerThanTheReloadPeriodIsRefused() {
    Certs certs = Certs.defaults();
    Certs shortOverlap =
        new Certs(
            certs.serviceName(),
            certs.clusterDomain(),
            certs.validity(),
            certs.renewBefore(),
            certs.caValidity(),
            certs.caRenewBefore(),
            Duration.ofMinutes(1),
            certs.checkPeriod());

    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () -> CertsSettings.check(shortOverlap, "webhooks", RELOAD));
    assertTrue(refused.getMessage().contains("calico.certs.overlap"), refused.getMessage());
  }

  @Test
  void everyMistakeIsNamedInOneMessage() {
    Certs wrong =
        new Certs(
            "Hooks_Service",
            "cluster.local",
            Duration.ofDays(1),
            Optional.of(Duration.ofDays(2)),
            Duration.ofHours(1),
            Optional.empty(),
            Duration.ofMinutes(10),
            Duration.ofMillis(10));

    String message =
        assertThrows(IllegalArgumentException.class, () -> CertsSettings.check(wrong, null, RELOAD))
            .getMessage();

    for (String named :
        List.of(
            "POD_NAMESPACE",
            "calico.certs.service-name",
            "calico.certs.renew-before (PT48H) must be shorter than calico.certs.validity",
            "calico.certs.check-period",
            "must leave room for a CA rotation")) {
      assertTrue(message.contains(named), named + " in: " + message);
    }
  }
}
