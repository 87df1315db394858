package io.calicowebhook.admission;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses a request whose declared body is over {@link #MAX_BYTES} with a JSON 413, before any of
 * it is read. The apiserver always declares the length; a body without a declared length (chunked,
 * or HTTP/2 without one) is cut off by {@code quarkus.http.limits.max-body-size} (8 MiB, just
 * above) as it streams, with a bare 413, or refused here once read when it is between the two.
 */
class BodyLimit {
  /**
   * Matches {@code quarkus.http.limits.max-body-size}: what an AdmissionReview can be. The
   * apiserver takes requests of up to 3 MiB, and a review holds the object and its old version (an
   * UPDATE), so two of those plus the review's envelope.
   */
  static final long MAX_BYTES = 7L * 1024 * 1024;

  @ServerRequestFilter(preMatching = true)
  public void refuseDeclaredOversizeBody(ContainerRequestContext request) {
    String declared = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
    if (declared != null && length(declared) > MAX_BYTES) {
      throw new BadInputException(413, "body of " + declared.trim() + " bytes is over 7 MiB");
    }
  }

  /** The same limit for a body that arrived without a declared length. */
  static void check(byte[] body) {
    if (body != null && body.length > MAX_BYTES) {
      throw new BadInputException(413, "body of " + body.length + " bytes is over 7 MiB");
    }
  }

  private static long length(String declared) {
    try {
      return Long.parseLong(declared.trim());
    } catch (NumberFormatException e) {
      throw BadInputException.badRequest("Content-Length is not a number");
    }
  }
}
