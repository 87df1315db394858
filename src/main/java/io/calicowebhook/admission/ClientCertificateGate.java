package io.calicowebhook.admission;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.calicowebhook.tls.ClientCertificates;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Set;

/**
 * Refuses admission calls of a caller without an acceptable client certificate ({@link
 * ClientCertificates#refusal}: 401 or 403) before any of the body is read: a route filter of the
 * HTTP layer that runs ahead of the REST endpoints, which only then read the body. So a caller
 * without a certificate cannot make the service buffer a large body, whether its length is
 * declared, chunked or sent over HTTP/2. The answer is the endpoints' JSON error; an HTTP/1.1
 * connection is closed after it, rather than drained of a body nobody reads.
 */
@ApplicationScoped
class ClientCertificateGate {
  /** Above Quarkus's own filters' defaults, so that it runs first among them. */
  static final int PRIORITY = 10_000;

  private static final Set<String> ADMISSION_PATHS = Set.of("/validate", "/mutate");

  private final ClientCertificates certificates;
  private final ObjectMapper json;

  public ClientCertificateGate(ClientCertificates certificates, ObjectMapper json) {
    this.certificates = certificates;
    this.json = json;
  }

  void register(@Observes Filters filters) {
    filters.register(this::check, PRIORITY);
  }

  private void check(RoutingContext context) {
    if (!certificates.required() || !ADMISSION_PATHS.contains(admissionPath(context))) {
      context.next();
      return;
    }
    certificates
        .refusal(context.request())
        .ifPresentOrElse(refusal -> refuse(context, refusal), context::next);
  }

  /** The request's path without trailing slashes, which the REST routes would match as well. */
  private static String admissionPath(RoutingContext context) {
    String path = context.normalizedPath();
    int end = path.length();
    while (end > 1 && path.charAt(end - 1) == '/') {
      end--;
    }
    return path.substring(0, end);
  }

  private void refuse(RoutingContext context, ClientCertificates.Refusal refusal) {
    String body;
    try {
      body = json.writeValueAsString(new ErrorBody(refusal.message()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a record of one string always serializes", e);
    }
    HttpServerResponse response =
        context
            .response()
            .setStatusCode(refusal.status())
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    if (context.request().version() != HttpVersion.HTTP_2) {
      response.putHeader(HttpHeaders.CONNECTION, "close");
    }
    response.end(body);
  }
}
