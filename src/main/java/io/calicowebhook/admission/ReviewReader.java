package io.calicowebhook.admission;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads an {@code AdmissionReview} body into {@link Review}, binding only the fields the decisions
 * need and skipping the rest of the Pod (unknown fields are ignored: Kubernetes keeps adding them).
 * Every way a body can be wrong ends in a {@link BadInputException} with a short message.
 */
final class ReviewReader {
  /** Deep enough for any Pod's managedFields, shallow enough to stop absurd nesting early. */
  static final int MAX_NESTING_DEPTH = 200;

  /**
   * Longest {@code request.uid} answered: the apiserver sends a 36-character UUID, and the uid is
   * echoed in the answer.
   */
  static final int MAX_UID = 128;

  /** Longest detail of a 400 message: field names and Jackson's words can hold anything sent. */
  private static final int MAX_DETAIL = 160;

  private static final Set<String> API_VERSIONS = Set.of(Review.V1, Review.V1BETA1);

  private final ObjectReader reader;

  public ReviewReader() {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
            .build();
    this.reader =
        JsonMapper.builder(factory)
            .annotationIntrospector(new SkipUnknownFields())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build()
            .readerFor(Review.class);
  }

  /**
   * Every bound record skips the fields it does not name ({@code spec.containers}, {@code status},
   * {@code managedFields}, {@code userInfo}, ...) as {@code @JsonIgnoreProperties(ignoreUnknown =
   * true)} would. Without it Jackson copies each unknown field of a record (bound through its
   * constructor) into a buffer before dropping it, even with {@code FAIL_ON_UNKNOWN_PROPERTIES}
   * off: that copy was a large part of the time spent reading a review (bench/admission).
   */
  private static final class SkipUnknownFields extends JacksonAnnotationIntrospector {
    @Override
    public JsonIgnoreProperties.Value findPropertyIgnoralByName(
        MapperConfig<?> config, Annotated annotated) {
      return JsonIgnoreProperties.Value.forIgnoreUnknown(true);
    }
  }

  /**
   * The review in {@code body}, checked: an AdmissionReview of a known apiVersion with a request
   * that has a uid.
   *
   * @throws BadInputException (400) for anything else
   */
  public Review read(byte[] body) {
    if (body == null || body.length == 0) {
      throw BadInputException.badRequest("empty body: expected an AdmissionReview");
    }
    return check(parse(body));
  }

  private Review parse(byte[] body) {
    try {
      return reader.readValue(body);
    } catch (MismatchedInputException e) {
      throw BadInputException.badRequest("not an AdmissionReview: " + wrongType(e));
    } catch (JsonProcessingException e) {
      throw BadInputException.badRequest(
          constraintBroken(e)
              ? "JSON over a read limit: " + detail(e)
              : "malformed JSON: " + detail(e));
    } catch (IOException e) {
      throw BadInputException.badRequest("unreadable body: " + e.getClass().getSimpleName());
    }
  }

  private static Review check(Review review) {
    if (review == null || !Review.KIND.equals(review.kind())) {
      throw BadInputException.badRequest("not an AdmissionReview: kind must be AdmissionReview");
    }
    // Set.of(...).contains(null) throws: a review without apiVersion was a 500
    if (review.apiVersion() == null || !API_VERSIONS.contains(review.apiVersion())) {
      throw BadInputException.badRequest(
          "unsupported apiVersion: expected " + Review.V1 + " or " + Review.V1BETA1);
    }
    if (review.request() == null) {
      throw BadInputException.badRequest("AdmissionReview without request");
    }
    if (review.request().uid() == null || review.request().uid().isEmpty()) {
      throw BadInputException.badRequest("AdmissionReview request without uid");
    }
    if (review.request().uid().length() > MAX_UID) {
      throw BadInputException.badRequest(
          "AdmissionReview request uid over " + MAX_UID + " characters");
    }
    return review;
  }

  /** Where the document has the wrong shape, in the review's own field names. */
  private static String wrongType(MismatchedInputException e) {
    String path =
        e.getPath().stream()
            .map(
                ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
            .collect(Collectors.joining("."));
    return path.isEmpty() ? "expected a JSON object" : shorten(path) + " has the wrong type";
  }

  /** Nesting depth or another read limit, possibly wrapped by databind. */
  private static boolean constraintBroken(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof StreamConstraintsException) {
        return true;
      }
    }
    return false;
  }

  /** Jackson's message without the echo of the source, cut short. */
  private static String detail(JsonProcessingException e) {
    String message =
        String.valueOf(e.getOriginalMessage())
            .replaceAll("\\[Source: [^;\\]]*; (line: \\d+, column: \\d+)\\]", "$1")
            .replaceAll("\\s+", " ");
    String located =
        e.getLocation() == null
            ? message
            : message
                + " (line "
                + e.getLocation().getLineNr()
                + ", column "
                + e.getLocation().getColumnNr()
                + ")";
    return shorten(located);
  }

  /** {@code text} cut to {@link #MAX_DETAIL} code points, never inside one. */
  private static String shorten(String text) {
    if (text.codePointCount(0, text.length()) <= MAX_DETAIL) {
      return text;
    }
    return text.substring(0, text.offsetByCodePoints(0, MAX_DETAIL)) + "...";
  }
}
