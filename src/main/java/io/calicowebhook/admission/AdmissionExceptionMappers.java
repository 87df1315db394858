package io.calicowebhook.admission;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns every failure into a short JSON error; no stack trace ever reaches a caller. */
public class AdmissionExceptionMappers {
  private static final Logger LOG = Logger.getLogger(AdmissionExceptionMappers.class);

  @ServerExceptionMapper
  public RestResponse<ErrorBody> badInput(BadInputException e) {
    return error(e.status(), e.getMessage());
  }

  /** Framework answers such as 404, 405 and 415, with the status's reason as the message. */
  @ServerExceptionMapper
  public RestResponse<ErrorBody> framework(WebApplicationException e) {
    Response.StatusType status = e.getResponse().getStatusInfo();
    return error(status.getStatusCode(), status.getReasonPhrase());
  }

  @ServerExceptionMapper
  public RestResponse<ErrorBody> unexpected(Throwable e) {
    LOG.error("unexpected failure answering a request", e);
    return error(500, "internal error");
  }

  private static RestResponse<ErrorBody> error(int status, String message) {
    return RestResponse.ResponseBuilder.<ErrorBody>create(status)
        .entity(new ErrorBody(message))
        .type(MediaType.APPLICATION_JSON_TYPE)
        .build();
  }
}
