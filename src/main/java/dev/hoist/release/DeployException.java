package dev.hoist.release;

/** A deploy that could not start or could not finish; the message says why and what to do. */
public final class DeployException extends Exception {
  private static final long serialVersionUID = 1L;

  public DeployException(String message, Throwable cause) {
    super(message, cause);
  }
}
