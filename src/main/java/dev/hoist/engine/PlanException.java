package dev.hoist.engine;

/** The node is in a state that no planned change can safely fix; the message says what to do. */
public final class PlanException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PlanException(String message) {
    super(message);
  }
}
