package io.calicowebhook.admission;

import io.calicowebhook.pod.PodMeta;
import io.calicowebhook.tls.ClientCertificates;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.event.Event;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * {@code POST /validate} and {@code POST /mutate}: converts HTTP to {@link Validator} and {@link
 * Mutator} calls and back. The body is read as bytes so that every malformed review gets our own
 * 4xx. The work is pure CPU (the {@link PodAccepted} observers return at once): an ordinary review
 * takes microseconds and is judged on the event loop ({@link NonBlocking}); a review over {@link
 * #LARGE_REVIEW} bytes, which only a huge annotation makes, can take milliseconds and is judged on
 * a worker thread so that it never stalls the other requests of its event loop.
 */
@Path("/")
@Consumes(MediaType.WILDCARD)
@Produces(MediaType.APPLICATION_JSON)
public class AdmissionResource {
  private static final Logger LOG = Logger.getLogger(AdmissionResource.class);

  /** Reviews larger than this are judged off the event loop; a usual Pod review is 3-10 KiB. */
  static final int LARGE_REVIEW = 64 * 1024;

  private final ReviewReader reader = new ReviewReader();
  private final Validator validator = new Validator();
  private final Mutator mutator = new Mutator();
  private final Event<PodAccepted> podAccepted;
  private final AdmissionMetrics metrics;
  private final ClientCertificates clientCertificates;

  public AdmissionResource(
      Event<PodAccepted> podAccepted,
      AdmissionMetrics metrics,
      ClientCertificates clientCertificates) {
    this.podAccepted = podAccepted;
    this.metrics = metrics;
    this.clientCertificates = clientCertificates;
  }

  @POST
  @Path("validate")
  @NonBlocking
  public Uni<ReviewResponse> validate(
      byte[] body, @Context HttpHeaders headers, @Context HttpServerRequest http) {
    return judge(
        body, () -> metrics.time("validate", () -> answer(body, headers, http, this::validate)));
  }

  @POST
  @Path("mutate")
  @NonBlocking
  public Uni<ReviewResponse> mutate(
      byte[] body, @Context HttpHeaders headers, @Context HttpServerRequest http) {
    return judge(
        body, () -> metrics.time("mutate", () -> answer(body, headers, http, mutator::mutate)));
  }

  /** Runs {@code work} right here, or on a worker thread for a large review. */
  private static Uni<ReviewResponse> judge(byte[] body, Supplier<ReviewResponse> work) {
    Uni<ReviewResponse> answer = Uni.createFrom().item(work);
    if (body == null || body.length <= LARGE_REVIEW) {
      return answer;
    }
    return answer.runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
  }

  private ReviewResponse answer(
      byte[] body,
      HttpHeaders headers,
      HttpServerRequest http,
      Function<ReviewRequest, AdmissionResponse> decide) {
    clientCertificates
        .refusal(http)
        .ifPresent(
            refusal -> {
              throw new BadInputException(refusal.status(), refusal.message());
            });
    requireJson(headers.getMediaType());
    BodyLimit.check(body);
    Review review = reader.read(body);
    return new ReviewResponse(review.apiVersion(), decide.apply(review.request()));
  }

  private AdmissionResponse validate(ReviewRequest request) {
    Validation validation = validator.validate(request);
    validation.accepted().ifPresent(this::announce);
    return validation.response();
  }

  /** An observer's failure must not turn an allowed pod into a failed admission. */
  private void announce(PodMeta pod) {
    try {
      podAccepted.fire(new PodAccepted(pod));
    } catch (RuntimeException e) {
      LOG.errorf(e, "PodAccepted observer failed for pod %s", pod.key());
    }
  }

  private static void requireJson(MediaType type) {
    if (type == null
        || !"application".equalsIgnoreCase(type.getType())
        || !"json".equalsIgnoreCase(type.getSubtype())) {
      throw new BadInputException(415, "Content-Type must be application/json");
    }
  }
}
