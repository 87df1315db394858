package io.calicowebhook.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The three ways the webhook gets its serving certificate, and what each renders. */
class ChartTlsTest {
  private static final String SERVICE = "cpw-calico-policy-webhook";
  private static final String TLS_CHECKSUM = "checksum/tls";

  @Test
  void helmModeCaBundleIsTheCaThatSignedTheServingCertificate() throws Exception {
    Manifests manifests = Chart.withEtcd().render();
    Secret secret = manifests.one(Secret.class);
    assertEquals("kubernetes.io/tls", secret.getType());
    X509Certificate ca = Pem.certificate(Pem.fromBase64(validatingCaBundle(manifests)));
    X509Certificate serving = Pem.certificate(Pem.fromBase64(secret.getData().get("tls.crt")));

    serving.verify(ca.getPublicKey());
    serving.checkValidity();
    assertTrue(ca.getBasicConstraints() >= 0, "the caBundle certificate is a CA");
    assertEquals(validatingCaBundle(manifests), mutatingCaBundle(manifests));
    assertEquals(secret.getData().get("ca.crt"), validatingCaBundle(manifests));
  }

  @Test
  void helmModeServingCertificateNamesTheServiceAndMatchesItsKey() throws Exception {
    Manifests manifests = Chart.withEtcd().render();
    Secret secret = manifests.one(Secret.class);
    X509Certificate serving = Pem.certificate(Pem.fromBase64(secret.getData().get("tls.crt")));

    Set<String> dnsNames =
        serving.getSubjectAlternativeNames().stream()
            .filter(san -> (Integer) san.get(0) == 2)
            .map(san -> (String) san.get(1))
            .collect(Collectors.toSet());
    String dns = SERVICE + "." + Chart.NAMESPACE + ".svc";
    assertEquals(Set.of(dns, dns + ".cluster.local"), dnsNames);
    assertTrue(serving.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.1"), "serverAuth");
    assertKeyMatches(serving, Pem.fromBase64(secret.getData().get("tls.key")));
  }

  @Test
  void helmModeReusesTheInstalledCertificateOnUpgrade() throws Exception {
    String namespace = "upgrade-reuse";
    Manifests first = Chart.withEtcd().inNamespace(namespace).render();
    install(first.one(Secret.class));

    Manifests upgrade = Chart.withEtcd().inNamespace(namespace).render();

    assertEquals(first.one(Secret.class).getData(), upgrade.one(Secret.class).getData());
    assertEquals(validatingCaBundle(first), validatingCaBundle(upgrade));
    assertEquals(
        first.podAnnotation(TLS_CHECKSUM),
        upgrade.podAnnotation(TLS_CHECKSUM),
        "an upgrade must not roll the pods");
  }

  @Test
  void helmModeRenewsACertificateNearExpiryAndTrustsBothCasDuringTheRollout() throws Exception {
    String namespace = "upgrade-renew";
    Manifests first = Chart.withEtcd().inNamespace(namespace).render();
    Secret expiring = first.one(Secret.class);
    expiring
        .getMetadata()
        .getAnnotations()
        .put("calicowebhook.io/not-after", epochIn(Duration.ofDays(10)));
    install(expiring);

    Manifests upgrade = Chart.withEtcd().inNamespace(namespace).render();

    Secret renewed = upgrade.one(Secret.class);
    assertNotEquals(expiring.getData().get("tls.crt"), renewed.getData().get("tls.crt"));
    List<X509Certificate> trusted = Pem.certificates(Pem.fromBase64(validatingCaBundle(upgrade)));
    assertEquals(2, trusted.size());
    Pem.certificate(Pem.fromBase64(renewed.getData().get("tls.crt")))
        .verify(trusted.get(0).getPublicKey());
    Pem.certificate(Pem.fromBase64(expiring.getData().get("tls.crt")))
        .verify(trusted.get(1).getPublicKey());
    assertNotEquals(
        first.podAnnotation(TLS_CHECKSUM),
        upgrade.podAnnotation(TLS_CHECKSUM),
        "a renewal rolls the pods");
  }

  @Test
  void helmModeRenewsWhenTheServiceNameChanged() throws Exception {
    String namespace = "upgrade-rename";
    Manifests first = Chart.withEtcd().inNamespace(namespace).render();
    install(first.one(Secret.class));

    Chart renamed =
        Chart.withEtcd()
            .inNamespace(namespace)
            .set("fullnameOverride", "cpw-calico-policy-webhook2");

    X509Certificate serving =
        Pem.certificate(
            Pem.fromBase64(renamed.render().one(Secret.class).getData().get("tls.crt")));
    assertTrue(
        serving.getSubjectAlternativeNames().stream()
            .anyMatch(
                san -> san.get(1).equals("cpw-calico-policy-webhook2." + namespace + ".svc")));
  }

  @Test
  void secretModeUsesTheGivenSecretAndCaBundle() throws Exception {
    String caBundle = base64(someCaPem());
    Manifests manifests =
        Chart.withEtcd()
            .set("tls.mode", "secret")
            .set("tls.secretName", "webhook-serving")
            .set("tls.caBundle", caBundle)
            .render();

    assertTrue(manifests.all(Secret.class).isEmpty(), "the chart must not own the Secret");
    assertEquals(caBundle, validatingCaBundle(manifests));
    assertEquals(caBundle, mutatingCaBundle(manifests));
    assertEquals("webhook-serving", tlsVolumeSecret(manifests));
  }

  @Test
  void secretModeRollsThePodsWhenTheCaBundleChanges() throws Exception {
    Chart one =
        Chart.withEtcd()
            .set("tls.mode", "secret")
            .set("tls.secretName", "webhook-serving")
            .set("tls.caBundle", base64(someCaPem()));
    Chart same =
        Chart.withEtcd()
            .set("tls.mode", "secret")
            .set("tls.secretName", "webhook-serving")
            .set("tls.caBundle", base64(someCaPem()));
    Chart other =
        Chart.withEtcd()
            .set("tls.mode", "secret")
            .set("tls.secretName", "webhook-serving")
            .set("tls.caBundle", base64(otherCaPem()));

    assertEquals(
        one.render().podAnnotation(TLS_CHECKSUM), same.render().podAnnotation(TLS_CHECKSUM));
    assertNotEquals(
        one.render().podAnnotation(TLS_CHECKSUM), other.render().podAnnotation(TLS_CHECKSUM));
  }

  @Test
  void certManagerModeSignsTheServingCertificateWithItsOwnCaAndInjectsTheCa() {
    Manifests manifests = Chart.withEtcd().set("tls.mode", "cert-manager").render();

    // serving Certificate <- CA Issuer <- CA Certificate <- self-signed Issuer
    GenericKubernetesResource serving = manifests.custom("Certificate", SERVICE);
    Map<String, Object> spec = spec(serving);
    String dns = SERVICE + "." + Chart.NAMESPACE + ".svc";
    assertEquals(List.of(dns, dns + ".cluster.local"), spec.get("dnsNames"));
    assertEquals(tlsVolumeSecret(manifests), spec.get("secretName"));
    assertEquals(
        List.of("server auth", "digital signature", "key encipherment"), spec.get("usages"));

    String caIssuerName = (String) issuerRef(spec).get("name");
    assertEquals("Issuer", issuerRef(spec).get("kind"));
    GenericKubernetesResource caIssuer = manifests.custom("Issuer", caIssuerName);
    @SuppressWarnings("unchecked")
    String caSecret = (String) ((Map<String, Object>) spec(caIssuer).get("ca")).get("secretName");

    GenericKubernetesResource ca =
        manifests.all(GenericKubernetesResource.class).stream()
            .filter(r -> r.getKind().equals("Certificate") && r != serving)
            .findFirst()
            .orElseThrow();
    Map<String, Object> caSpec = spec(ca);
    assertEquals(true, caSpec.get("isCA"));
    assertEquals(caSecret, caSpec.get("secretName"), "the CA Issuer signs with the CA's key");
    assertNotEquals(spec.get("secretName"), caSecret);
    assertEquals(
        "Never",
        ((Map<?, ?>) caSpec.get("privateKey")).get("rotationPolicy"),
        "a renewed CA keeps its key, so certificates it signed before still verify");
    GenericKubernetesResource selfSigned =
        manifests.custom("Issuer", (String) issuerRef(caSpec).get("name"));
    assertEquals(Map.of(), spec(selfSigned).get("selfSigned"));
    assertEquals(
        2,
        manifests.all(GenericKubernetesResource.class).stream()
            .filter(r -> r.getKind().equals("Issuer"))
            .count());
    assertTrue(manifests.all(Secret.class).isEmpty(), "cert-manager owns the Secrets");

    // caBundle comes from the CA Certificate: a renewed serving certificate leaves it alone.
    String injectFrom = Chart.NAMESPACE + "/" + ca.getMetadata().getName();
    for (var config :
        List.of(
            manifests.one(ValidatingWebhookConfiguration.class),
            manifests.one(MutatingWebhookConfiguration.class))) {
      assertEquals(
          injectFrom, config.getMetadata().getAnnotations().get("cert-manager.io/inject-ca-from"));
    }
    assertNull(validatingCaBundle(manifests));
    assertNull(mutatingCaBundle(manifests));
  }

  @Test
  void certManagerModeUsesAnExistingIssuerWithoutCreatingOne() {
    Manifests manifests =
        Chart.withEtcd()
            .set("tls.mode", "cert-manager")
            .set("tls.certManager.issuerRef.name", "cluster-ca")
            .set("tls.certManager.issuerRef.kind", "ClusterIssuer")
            .render();

    assertFalse(manifests.custom("Issuer").isPresent());
    GenericKubernetesResource certificate = manifests.custom("Certificate").orElseThrow();
    assertEquals(
        1,
        manifests.all(GenericKubernetesResource.class).stream()
            .filter(r -> r.getKind().equals("Certificate"))
            .count(),
        "no CA of the chart's own");
    Map<String, Object> ref = issuerRef(spec(certificate));
    assertEquals("cluster-ca", ref.get("name"));
    assertEquals("ClusterIssuer", ref.get("kind"));
    // That issuer's CA is the ca.crt cert-manager writes next to the serving certificate.
    assertEquals(
        Chart.NAMESPACE + "/" + certificate.getMetadata().getName(),
        manifests
            .one(ValidatingWebhookConfiguration.class)
            .getMetadata()
            .getAnnotations()
            .get("cert-manager.io/inject-ca-from"));
  }

  private static void assertKeyMatches(X509Certificate certificate, String keyPem)
      throws GeneralSecurityException {
    byte[] data = "calico-policy-webhook".getBytes(StandardCharsets.UTF_8);
    Signature signer = Signature.getInstance("SHA256withRSA");
    signer.initSign(Pem.rsaKey(keyPem));
    signer.update(data);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withRSA");
    verifier.initVerify(certificate.getPublicKey());
    verifier.update(data);
    assertTrue(verifier.verify(signature), "tls.key is the key of tls.crt");
  }

  /** What an installation leaves behind for the next upgrade's lookup. */
  private static void install(Secret secret) {
    var client = FakeApiServer.get().client();
    client.secrets().inNamespace(secret.getMetadata().getNamespace()).resource(secret).delete();
    client
        .secrets()
        .inNamespace(secret.getMetadata().getNamespace())
        .resource(new SecretBuilder(secret).build())
        .create();
  }

  private static String epochIn(Duration duration) {
    return String.valueOf(Instant.now().plus(duration).getEpochSecond());
  }

  private static String validatingCaBundle(Manifests manifests) {
    return manifests
        .one(ValidatingWebhookConfiguration.class)
        .getWebhooks()
        .get(0)
        .getClientConfig()
        .getCaBundle();
  }

  private static String mutatingCaBundle(Manifests manifests) {
    return manifests
        .one(MutatingWebhookConfiguration.class)
        .getWebhooks()
        .get(0)
        .getClientConfig()
        .getCaBundle();
  }

  private static String tlsVolumeSecret(Manifests manifests) {
    return manifests.one(Deployment.class).getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals("tls"))
        .findFirst()
        .orElseThrow()
        .getSecret()
        .getSecretName();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(GenericKubernetesResource resource) {
    return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> issuerRef(Map<String, Object> spec) {
    return (Map<String, Object>) spec.get("issuerRef");
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }

  /** A CA made by the chart itself (helm mode) serves as "an operator's CA" here. */
  private static String someCaPem() {
    return CAS.get(0);
  }

  private static String otherCaPem() {
    return CAS.get(1);
  }

  private static final List<String> CAS =
      List.of(
          Pem.fromBase64(Chart.withEtcd().render().one(Secret.class).getData().get("ca.crt")),
          Pem.fromBase64(Chart.withEtcd().render().one(Secret.class).getData().get("ca.crt")));
}
