package io.calicowebhook.certs;

import java.security.GeneralSecurityException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * What the Secret should hold next, decided from what it holds and the time alone, so that every
 * replica that reads the same Secret decides the same (only one write of theirs succeeds; the
 * others read it back and find nothing left to do).
 *
 * <p>A CA rotation, from the moment less than {@code ca-renew-before} is left of the CA:
 *
 * <ol>
 *   <li>a new CA is made and trusted beside the current one ({@code caBundle} holds both); the
 *       serving certificate stays as it is;
 *   <li>{@code overlap} later (every API server has the new {@code caBundle}), the new CA becomes
 *       the current one and signs a new serving certificate; the old CA stays trusted;
 *   <li>{@code overlap} later again (every replica serves the new pair: kubelet's volume sync plus
 *       the reload period), the old CA leaves {@code caBundle}.
 * </ol>
 *
 * <p>The serving certificate is replaced when less than {@code renew-before} (or a third of its own
 * lifetime, when the CA's expiry cut it short) is left, when the current CA did not sign it, or
 * when it does not name exactly the Service's DNS names.
 */
final class Renewal {
  /** Certificates start this long before they are made, for clocks a little behind ours. */
  static final Duration BACKDATE = Duration.ofMinutes(5);

  private Renewal() {}

  /** The next state and what changed, in words for the log; no changes: nothing to write. */
  record Step(CertificateState state, List<String> changes) {
    boolean changed() {
      return !changes.isEmpty();
    }
  }

  static Step next(CertificateState state, Instant clock, CertsSettings settings)
      throws GeneralSecurityException {
    Instant now = clock.truncatedTo(ChronoUnit.SECONDS); // what a certificate can say
    List<String> changes = new ArrayList<>();
    CertificateState cas = authorities(state, now, settings, changes);
    KeyedCertificate ca = cas.ca().orElseThrow();
    Optional<KeyedCertificate> serving = state.serving();
    Optional<String> renew = servingRenewal(serving, ca, now, settings);
    if (renew.isPresent()) {
      Instant until = min(now.plus(settings.validity()), ca.notAfter());
      serving = Optional.of(Issuer.serving(ca, settings.dnsNames(), now.minus(BACKDATE), until));
      changes.add(renew.get() + ": new serving certificate, valid until " + until);
    }
    return new Step(
        new CertificateState(
            cas.ca(),
            cas.nextCa(),
            cas.nextSince(),
            cas.previousCa(),
            cas.previousUntil(),
            serving),
        List.copyOf(changes));
  }

  /** The CAs' part of the next state: a first CA, or the next step of a rotation, or as is. */
  private static CertificateState authorities(
      CertificateState state, Instant now, CertsSettings settings, List<String> changes)
      throws GeneralSecurityException {
    Optional<KeyedCertificate> ca = state.ca().filter(c -> c.notAfter().isAfter(now));
    if (ca.isEmpty()) {
      KeyedCertificate fresh = newCa(settings, now);
      changes.add(
          (state.ca().isPresent() ? "the CA expired: " : "no CA yet: ")
              + "made one, valid until "
              + fresh.notAfter());
      return cas(Optional.of(fresh), null, null, null, null);
    }
    if (state.nextCa().isPresent()) {
      return promote(state, ca.get(), now, settings, changes);
    }
    if (state.previousCa().isPresent()) {
      return retire(state, ca.get(), now, settings, changes);
    }
    if (Duration.between(now, ca.get().notAfter()).compareTo(settings.caRenewBefore()) < 0) {
      changes.add(
          "the CA expires at "
              + ca.get().notAfter()
              + ": a new CA is trusted beside it and signs from "
              + now.plus(settings.overlap()));
      return cas(ca, newCa(settings, now), now, null, null); // step 1
    }
    return state;
  }

  /** Step 2: an overlap after the next CA became trusted, it signs; the old stays trusted. */
  private static CertificateState promote(
      CertificateState state,
      KeyedCertificate ca,
      Instant now,
      CertsSettings settings,
      List<String> changes) {
    KeyedCertificate next = state.nextCa().orElseThrow();
    if (state.nextSince().isEmpty()) {
      changes.add("the next CA's start of trust was missing: counting from now");
      return cas(Optional.of(ca), next, now, null, null);
    }
    if (now.isBefore(state.nextSince().get().plus(settings.overlap()))) {
      return state;
    }
    Instant until = now.plus(settings.overlap());
    changes.add("the next CA signs from now on; the old one stays trusted until " + until);
    return cas(Optional.of(next), null, null, ca.certificate(), until);
  }

  /** Step 3: an overlap after the new CA began to sign, the old one leaves caBundle. */
  private static CertificateState retire(
      CertificateState state,
      KeyedCertificate ca,
      Instant now,
      CertsSettings settings,
      List<String> changes) {
    X509Certificate previous = state.previousCa().orElseThrow();
    if (state.previousUntil().isEmpty()) {
      Instant until = now.plus(settings.overlap());
      changes.add("the old CA's end of trust was missing: " + until);
      return cas(Optional.of(ca), null, null, previous, until);
    }
    if (now.isBefore(state.previousUntil().get())) {
      return state;
    }
    changes.add("the old CA is no longer trusted");
    return cas(Optional.of(ca), null, null, null, null);
  }

  /** A state of CAs only (the serving pair is decided after). */
  private static CertificateState cas(
      Optional<KeyedCertificate> ca,
      KeyedCertificate next,
      Instant nextSince,
      X509Certificate previous,
      Instant previousUntil) {
    return new CertificateState(
        ca,
        Optional.ofNullable(next),
        Optional.ofNullable(nextSince),
        Optional.ofNullable(previous),
        Optional.ofNullable(previousUntil),
        Optional.empty());
  }

  /** Why the serving certificate must be replaced, if it must. */
  private static Optional<String> servingRenewal(
      Optional<KeyedCertificate> serving, KeyedCertificate ca, Instant now, CertsSettings settings)
      throws CertificateParsingException {
    if (serving.isEmpty()) {
      return Optional.of("no usable serving certificate");
    }
    X509Certificate certificate = serving.get().certificate();
    if (!Issuer.signedBy(certificate, ca.certificate())) {
      return Optional.of("the serving certificate is not signed by the current CA");
    }
    if (!settings.dnsNames().equals(dnsNames(certificate))) {
      return Optional.of("the serving certificate names other DNS names");
    }
    Duration threshold = settings.renewBefore();
    Duration third = serving.get().lifetime().dividedBy(3);
    if (third.compareTo(threshold) < 0) {
      threshold = third;
    }
    Duration left = Duration.between(now, serving.get().notAfter());
    if (left.compareTo(threshold) < 0) {
      return Optional.of("the serving certificate expires at " + serving.get().notAfter());
    }
    return Optional.empty();
  }

  /** The DNS names among a certificate's subject alternative names, in order. */
  static List<String> dnsNames(X509Certificate certificate) throws CertificateParsingException {
    Collection<List<?>> names = certificate.getSubjectAlternativeNames();
    if (names == null) {
      return List.of();
    }
    return names.stream()
        .filter(name -> Integer.valueOf(2).equals(name.get(0)))
        .map(name -> (String) name.get(1))
        .toList();
  }

  private static KeyedCertificate newCa(CertsSettings settings, Instant now)
      throws GeneralSecurityException {
    String name = settings.dnsNames().get(2) + " CA " + now.getEpochSecond();
    return Issuer.ca(name, now.minus(BACKDATE), now.plus(settings.caValidity()));
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
