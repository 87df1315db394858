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
    Optional<KeyedCertificate> ca = state.ca().filter(c -> c.notAfter().isAfter(now));
    Optional<KeyedCertificate> nextCa = state.nextCa();
    Optional<Instant> nextSince = state.nextSince();
    Optional<X509Certificate> previousCa = state.previousCa();
    Optional<Instant> previousUntil = state.previousUntil();
    Optional<KeyedCertificate> serving = state.serving();

    if (ca.isEmpty()) {
      ca = Optional.of(newCa(settings, now));
      nextCa = Optional.empty();
      nextSince = Optional.empty();
      previousCa = Optional.empty();
      previousUntil = Optional.empty();
      changes.add(
          (state.ca().isPresent() ? "the CA expired: " : "no CA yet: ")
              + "made one, valid until "
              + ca.get().notAfter());
    } else if (nextCa.isPresent()) {
      if (nextSince.isEmpty()) {
        nextSince = Optional.of(now);
        changes.add("the next CA's start of trust was missing: counting from now");
      } else if (!now.isBefore(nextSince.get().plus(settings.overlap()))) {
        previousCa = ca.map(KeyedCertificate::certificate);
        previousUntil = Optional.of(now.plus(settings.overlap()));
        ca = nextCa;
        nextCa = Optional.empty();
        nextSince = Optional.empty();
        changes.add(
            "the next CA signs from now on; the old one stays trusted until "
                + previousUntil.get());
      }
    } else if (previousCa.isPresent()) {
      if (previousUntil.isEmpty()) {
        previousUntil = Optional.of(now.plus(settings.overlap()));
        changes.add("the old CA's end of trust was missing: " + previousUntil.get());
      } else if (!now.isBefore(previousUntil.get())) {
        previousCa = Optional.empty();
        previousUntil = Optional.empty();
        changes.add("the old CA is no longer trusted");
      }
    } else if (Duration.between(now, ca.get().notAfter()).compareTo(settings.caRenewBefore()) < 0) {
      nextCa = Optional.of(newCa(settings, now));
      nextSince = Optional.of(now);
      changes.add(
          "the CA expires at "
              + ca.get().notAfter()
              + ": a new CA is trusted beside it and signs from "
              + now.plus(settings.overlap()));
    }

    Optional<String> renew = servingRenewal(serving, ca.get(), now, settings);
    if (renew.isPresent()) {
      Instant until = min(now.plus(settings.validity()), ca.get().notAfter());
      serving =
          Optional.of(Issuer.serving(ca.get(), settings.dnsNames(), now.minus(BACKDATE), until));
      changes.add(renew.get() + ": new serving certificate, valid until " + until);
    }
    return new Step(
        new CertificateState(ca, nextCa, nextSince, previousCa, previousUntil, serving),
        List.copyOf(changes));
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
