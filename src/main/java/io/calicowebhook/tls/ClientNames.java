package io.calicowebhook.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * The names one of which an admission caller's client certificate must carry, as its subject CN or
 * as a DNS subject alternative name ({@code WEBHOOK_CLIENT_NAMES}, comma-separated, for example
 * {@code kube-apiserver,apiserver-webhook-client}). Names are compared exactly; no wildcards. Empty
 * means any certificate the client CA signed is accepted.
 */
record ClientNames(Set<String> names) {
  static final String VARIABLE = "WEBHOOK_CLIENT_NAMES";

  /** {@code subjectAltName} type of a DNS name (RFC 5280). */
  private static final int DNS_NAME = 2;

  public ClientNames {
    names = Set.copyOf(names);
  }

  /**
   * Reads {@code WEBHOOK_CLIENT_NAMES}; a blank value is unset.
   *
   * @param value the variable's value
   * @param clientCa whether a client CA verifies certificates ({@code WEBHOOK_CLIENT_CA})
   * @throws IllegalStateException naming every mistake, so the service refuses to start
   */
  public static ClientNames parse(Optional<String> value, boolean clientCa) {
    if (value.isEmpty() || value.get().isBlank()) {
      return new ClientNames(Set.of());
    }
    List<String> problems = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    for (String item : value.get().split(",", -1)) {
      String name = item.strip();
      String problem = problem(name);
      if (problem != null) {
        problems.add(problem);
      }
      names.add(name);
    }
    if (!clientCa) {
      problems.add(
          VARIABLE
              + " is set but WEBHOOK_CLIENT_CA is not: names are only checked on client"
              + " certificates verified against a client CA; set WEBHOOK_CLIENT_CA too, or unset "
              + VARIABLE);
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "invalid client authentication configuration:\n  - " + String.join("\n  - ", problems));
    }
    return new ClientNames(names);
  }

  private static String problem(String name) {
    if (name.isEmpty()) {
      return VARIABLE + " has an empty name (a doubled, leading or trailing comma)";
    }
    if (name.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      return VARIABLE + " name '" + name + "' contains whitespace: separate names with commas";
    }
    if (name.contains("*")) {
      return VARIABLE + " name '" + name + "' is a wildcard: names are compared exactly";
    }
    return null;
  }

  /** Whether names are checked at all. */
  public boolean enabled() {
    return !names.isEmpty();
  }

  /** Whether {@code certificate} carries one of the names as subject CN or DNS name. */
  public boolean accepts(X509Certificate certificate) {
    try {
      return accepts(
          certificate.getSubjectX500Principal(), certificate.getSubjectAlternativeNames());
    } catch (CertificateParsingException e) {
      return false;
    }
  }

  /**
   * Whether {@code subject} has a CN, or {@code alternativeNames} (as {@link
   * X509Certificate#getSubjectAlternativeNames()} returns them) a DNS name, that is one of the
   * names. Other attributes (OU, O) and other kinds of alternative name (IP, e-mail, URI) never
   * count.
   */
  boolean accepts(X500Principal subject, Collection<List<?>> alternativeNames) {
    return commonNames(subject).stream().anyMatch(names::contains)
        || dnsNames(alternativeNames).stream().anyMatch(names::contains);
  }

  private static List<String> commonNames(X500Principal subject) {
    List<String> commonNames = new ArrayList<>();
    try {
      for (Rdn rdn : new LdapName(subject.getName(X500Principal.RFC2253)).getRdns()) {
        Attribute cn = rdn.toAttributes().get("CN");
        for (int i = 0; cn != null && i < cn.size(); i++) {
          commonNames.add(String.valueOf(cn.get(i)));
        }
      }
    } catch (NamingException e) {
      return List.of();
    }
    return commonNames;
  }

  private static List<String> dnsNames(Collection<List<?>> alternativeNames) {
    if (alternativeNames == null) {
      return List.of();
    }
    return alternativeNames.stream()
        .filter(entry -> entry.size() == 2 && Integer.valueOf(DNS_NAME).equals(entry.get(0)))
        .map(entry -> String.valueOf(entry.get(1)))
        .toList();
  }
}
