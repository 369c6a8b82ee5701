package dev.hoist.lab;

/** A lab operation failed; the message says what failed and what to do about it. */
public final class LabException extends Exception {
  private static final long serialVersionUID = 1L;

  public LabException(String message) {
    super(message);
  }

  public LabException(String message, Throwable cause) {
    super(message, cause);
  }
}
