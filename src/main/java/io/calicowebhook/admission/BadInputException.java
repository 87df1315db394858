package io.calicowebhook.admission;

/**
 * A request the service will not judge: answered with {@link #status()} (4xx) and a short JSON body
 * {@code {"error": message}}, never with a stack trace.
 */
class BadInputException extends RuntimeException {
  private final int status;

  public BadInputException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public static BadInputException badRequest(String message) {
    return new BadInputException(400, message);
  }

  public int status() {
    return status;
  }
}
