package io.calicowebhook.lint;

/** An input that cannot be read as YAML or JSON; the message names what is wrong, never a trace. */
final class Unreadable extends Exception {
  private final transient Position position;

  Unreadable(String message, Position position) {
    super(message, null, false, false);
    this.position = position;
  }

  Unreadable(String message) {
    this(message, null);
  }

  /** Where the input went wrong, or null when it could not be read at all. */
  Position position() {
    return position;
  }
}
