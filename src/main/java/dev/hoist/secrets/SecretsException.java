package dev.hoist.secrets;

/** Bad secret input or a node that refused a change; the message names keys, never values. */
public final class SecretsException extends Exception {
  private static final long serialVersionUID = 1L;

  public SecretsException(String message) {
    super(message);
  }

  /** With the transport's error as the cause, so a lost connection is reported as one. */
  public SecretsException(String message, Throwable cause) {
    super(message, cause);
  }
}
