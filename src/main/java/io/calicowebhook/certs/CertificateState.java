package io.calicowebhook.certs;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.calicowebhook.tls.PemKeys;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the Secret holds, as the service reads and writes it. Keys of the Secret's {@code data}:
 *
 * <ul>
 *   <li>{@code ca.crt}, {@code ca.key}: the CA that signs serving certificates now;
 *   <li>{@code tls.crt}, {@code tls.key}: the serving pair, which the pods mount and serve;
 *   <li>{@code next-ca.crt}, {@code next-ca.key}, {@code next-ca.since}: during the first step of a
 *       CA rotation, the new CA and since when it is trusted in {@code caBundle};
 *   <li>{@code previous-ca.crt}, {@code previous-ca.until}: during the second step, the CA just
 *       replaced and until when it stays trusted;
 *   <li>{@code ca-bundle.crt}: every CA trusted now, oldest first: what {@code caBundle} holds.
 * </ul>
 *
 * <p>Whatever does not parse (or a key that is not its certificate's) reads as absent, so a damaged
 * Secret is repaired rather than served.
 */
record CertificateState(
    Optional<KeyedCertificate> ca,
    Optional<KeyedCertificate> nextCa,
    Optional<Instant> nextSince,
    Optional<X509Certificate> previousCa,
    Optional<Instant> previousUntil,
    Optional<KeyedCertificate> serving) {

  static final String CA_CRT = "ca.crt";
  static final String CA_KEY = "ca.key";
  static final String TLS_CRT = "tls.crt";
  static final String TLS_KEY = "tls.key";
  static final String NEXT_CA_CRT = "next-ca.crt";
  static final String NEXT_CA_KEY = "next-ca.key";
  static final String NEXT_CA_SINCE = "next-ca.since";
  static final String PREVIOUS_CA_CRT = "previous-ca.crt";
  static final String PREVIOUS_CA_UNTIL = "previous-ca.until";
  static final String CA_BUNDLE = "ca-bundle.crt";

  static final CertificateState EMPTY =
      new CertificateState(
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty());

  /** The state in a Secret's {@code data} (base64 values); null or empty reads as nothing. */
  static CertificateState read(Map<String, String> data) {
    if (data == null) {
      return EMPTY;
    }
    Optional<KeyedCertificate> nextCa = pair(data, NEXT_CA_CRT, NEXT_CA_KEY);
    Optional<X509Certificate> previousCa =
        text(data, PREVIOUS_CA_CRT).flatMap(CertificateState::certificate);
    return new CertificateState(
        pair(data, CA_CRT, CA_KEY),
        nextCa,
        nextCa.flatMap(ca -> text(data, NEXT_CA_SINCE).flatMap(CertificateState::instant)),
        previousCa,
        previousCa.flatMap(ca -> text(data, PREVIOUS_CA_UNTIL).flatMap(CertificateState::instant)),
        pair(data, TLS_CRT, TLS_KEY));
  }

  /** This state as a Secret's {@code data}. */
  Map<String, String> data() {
    Map<String, String> data = new LinkedHashMap<>();
    ca.ifPresent(
        pair -> {
          put(data, CA_CRT, pair.certificatePem());
          put(data, CA_KEY, pair.keyPem());
        });
    serving.ifPresent(
        pair -> {
          put(data, TLS_CRT, pair.certificatePem());
          put(data, TLS_KEY, pair.keyPem());
        });
    nextCa.ifPresent(
        pair -> {
          put(data, NEXT_CA_CRT, pair.certificatePem());
          put(data, NEXT_CA_KEY, pair.keyPem());
        });
    nextSince.ifPresent(since -> put(data, NEXT_CA_SINCE, since.toString()));
    previousCa.ifPresent(
        certificate -> put(data, PREVIOUS_CA_CRT, KeyedCertificate.pem(certificate)));
    previousUntil.ifPresent(until -> put(data, PREVIOUS_CA_UNTIL, until.toString()));
    if (!trusted().isEmpty()) {
      put(data, CA_BUNDLE, caBundle());
    }
    return data;
  }

  /** Every CA trusted now: the previous one, the current one, the next one; oldest first. */
  List<X509Certificate> trusted() {
    List<X509Certificate> all = new ArrayList<>();
    previousCa.ifPresent(all::add);
    ca.map(KeyedCertificate::certificate).ifPresent(all::add);
    nextCa.map(KeyedCertificate::certificate).ifPresent(all::add);
    all.sort(
        Comparator.comparing((X509Certificate c) -> c.getNotBefore().toInstant())
            .thenComparing(c -> c.getSerialNumber()));
    return all;
  }

  /** The PEM that the webhook configurations' {@code caBundle} holds: {@link #trusted()}. */
  String caBundle() {
    StringBuilder bundle = new StringBuilder();
    for (X509Certificate certificate : trusted()) {
      bundle.append(KeyedCertificate.pem(certificate));
    }
    return bundle.toString();
  }

  private static void put(Map<String, String> data, String key, String text) {
    data.put(key, Base64.getEncoder().encodeToString(text.getBytes(US_ASCII)));
  }

  private static Optional<String> text(Map<String, String> data, String key) {
    String value = data.get(key);
    if (value == null || value.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new String(Base64.getMimeDecoder().decode(value), US_ASCII));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static Optional<KeyedCertificate> pair(
      Map<String, String> data, String certificateKey, String keyKey) {
    Optional<String> certificate = text(data, certificateKey);
    Optional<String> key = text(data, keyKey);
    if (certificate.isEmpty() || key.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(KeyedCertificate.parse(certificate.get(), key.get()));
    } catch (GeneralSecurityException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<X509Certificate> certificate(String pem) {
    try {
      return Optional.of(PemKeys.certificates(pem.getBytes(US_ASCII))[0]);
    } catch (GeneralSecurityException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<Instant> instant(String text) {
    try {
      return Optional.of(Instant.parse(text.trim()));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
