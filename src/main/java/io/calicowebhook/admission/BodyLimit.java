package io.calicowebhook.admission;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses a request whose declared body is over {@link #MAX_BYTES} with a JSON 413, before any of
 * it is read. The apiserver always declares the length; a chunked body over the limit is cut off by
 * {@code quarkus.http.limits.max-body-size} (the same 4 MiB) with a bare 413.
 */
public class BodyLimit {
  /**
   * Matches {@code quarkus.http.limits.max-body-size}: a Pod and its old version, ~1.5 MiB each.
   */
  static final long MAX_BYTES = 4L * 1024 * 1024;

  @ServerRequestFilter(preMatching = true)
  public void refuseDeclaredOversizeBody(ContainerRequestContext request) {
    String declared = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
    if (declared != null && length(declared) > MAX_BYTES) {
      throw new BadInputException(413, "body of " + declared.trim() + " bytes is over 4 MiB");
    }
  }

  /** The same limit for a body that arrived without a declared length. */
  static void check(byte[] body) {
    if (body != null && body.length > MAX_BYTES) {
      throw new BadInputException(413, "body of " + body.length + " bytes is over 4 MiB");
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
