package io.calicowebhook.certs;

import io.calicowebhook.config.CalicoConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The settings of the service-owned certificates, checked together: every mistake is named in one
 * message at start-up.
 *
 * @param namespace of the Secret and the Service
 * @param secretName the Secret holding the CAs and the serving pair
 * @param dnsNames what the serving certificate names, the Service's shortest name first
 * @param validatingWebhook the ValidatingWebhookConfiguration whose caBundle is kept
 * @param mutatingWebhook the MutatingWebhookConfiguration whose caBundle is kept
 * @param validity a serving certificate's lifetime
 * @param renewBefore a serving certificate is replaced when less than this is left
 * @param caValidity a CA's lifetime
 * @param caRenewBefore a CA's rotation starts when less than this is left
 * @param overlap how long each step of a CA rotation waits
 * @param checkPeriod how often the Secret and the configurations are looked at
 */
public record CertsSettings(
    String namespace,
    String secretName,
    List<String> dnsNames,
    String validatingWebhook,
    String mutatingWebhook,
    Duration validity,
    Duration renewBefore,
    Duration caValidity,
    Duration caRenewBefore,
    Duration overlap,
    Duration checkPeriod) {

  /** Shortest check period: each check reads three objects from the API. */
  static final Duration MIN_CHECK_PERIOD = Duration.ofSeconds(1);

  /** A DNS label (RFC 1123), as Service and namespace names are. */
  private static final String LABEL = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";

  public CertsSettings {
    dnsNames = List.copyOf(dnsNames);
  }

  /** The Service's DNS names in the order the serving certificate lists them. */
  static List<String> dnsNames(String service, String namespace, String clusterDomain) {
    return List.of(
        service,
        service + "." + namespace,
        service + "." + namespace + ".svc",
        service + "." + namespace + ".svc." + clusterDomain);
  }

  /**
   * The checked settings.
   *
   * @param namespace the namespace to use ({@code calico.certs.namespace}, else the client's)
   * @param reloadPeriod {@code calico.webhook.tls-reload-period}, which the overlap must exceed
   * @throws IllegalArgumentException naming every setting that is wrong and why
   */
  public static CertsSettings check(
      CalicoConfig.Certs certs, String namespace, Duration reloadPeriod) {
    List<String> problems = new ArrayList<>();
    checkNames(problems, certs, namespace);
    Duration renewBefore = certs.renewBefore().orElse(certs.validity().dividedBy(3));
    Duration caRenewBefore = certs.caRenewBefore().orElse(certs.caValidity().dividedBy(3));
    positive(problems, "validity", certs.validity());
    positive(problems, "renew-before", renewBefore);
    positive(problems, "ca-validity", certs.caValidity());
    positive(problems, "ca-renew-before", caRenewBefore);
    shorter(problems, "renew-before", renewBefore, "validity", certs.validity());
    shorter(problems, "ca-renew-before", caRenewBefore, "ca-validity", certs.caValidity());
    checkPeriods(problems, certs, renewBefore, caRenewBefore, reloadPeriod);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "service-owned certificates (calico.certs.*): " + String.join("; ", problems));
    }
    return new CertsSettings(
        namespace,
        certs.secretName(),
        dnsNames(certs.serviceName(), namespace, certs.clusterDomain()),
        certs.validatingWebhook().orElse(certs.serviceName()),
        certs.mutatingWebhook().orElse(certs.serviceName()),
        certs.validity(),
        renewBefore,
        certs.caValidity(),
        caRenewBefore,
        certs.overlap(),
        certs.checkPeriod());
  }

  private static void checkNames(
      List<String> problems, CalicoConfig.Certs certs, String namespace) {
    if (namespace == null || !namespace.matches(LABEL)) {
      problems.add("the namespace (POD_NAMESPACE) must be a namespace name, not " + namespace);
    }
    if (!certs.serviceName().matches(LABEL)) {
      problems.add("calico.certs.service-name must be a Service name, not " + certs.serviceName());
    }
    if (!certs.clusterDomain().matches(LABEL + "(\\." + LABEL + ")*")) {
      problems.add(
          "calico.certs.cluster-domain must be a DNS domain, not " + certs.clusterDomain());
    }
    if (certs.secretName().isBlank()) {
      problems.add("calico.certs.secret-name must name a Secret");
    }
  }

  /** The periods fit each other: checks, the overlap, the reload, the renewals. */
  private static void checkPeriods(
      List<String> problems,
      CalicoConfig.Certs certs,
      Duration renewBefore,
      Duration caRenewBefore,
      Duration reloadPeriod) {
    if (certs.checkPeriod().compareTo(MIN_CHECK_PERIOD) < 0) {
      problems.add("calico.certs.check-period must be at least 1s, not " + certs.checkPeriod());
    }
    if (certs.overlap().compareTo(reloadPeriod) <= 0) {
      problems.add(
          "calico.certs.overlap ("
              + certs.overlap()
              + ") must be longer than calico.webhook.tls-reload-period ("
              + reloadPeriod
              + "), and should also cover kubelet's Secret volume sync (about two minutes)");
    }
    Duration rotation = certs.overlap().multipliedBy(2).plus(certs.checkPeriod().multipliedBy(3));
    if (caRenewBefore.compareTo(rotation) < 0) {
      problems.add(
          "calico.certs.ca-renew-before ("
              + caRenewBefore
              + ") must leave room for a CA rotation: two overlaps and three check periods ("
              + rotation
              + ")");
    }
    if (renewBefore.compareTo(certs.checkPeriod().multipliedBy(2)) < 0) {
      problems.add(
          "calico.certs.renew-before ("
              + renewBefore
              + ") must be at least two check periods ("
              + certs.checkPeriod().multipliedBy(2)
              + ")");
    }
  }

  private static void shorter(
      List<String> problems, String name, Duration value, String thanName, Duration than) {
    if (value.compareTo(than) >= 0) {
      problems.add(
          "calico.certs."
              + name
              + " ("
              + value
              + ") must be shorter than calico.certs."
              + thanName
              + " ("
              + than
              + ")");
    }
  }

  private static void positive(List<String> problems, String name, Duration value) {
    if (value.isNegative() || value.isZero()) {
      problems.add("calico.certs." + name + " must be positive, not " + value);
    }
  }
}
