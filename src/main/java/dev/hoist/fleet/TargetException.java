package dev.hoist.fleet;

/** --env or --node names something the inventory does not have; the message says what it has. */
public final class TargetException extends Exception {
  private static final long serialVersionUID = 1L;

  public TargetException(String message) {
    super(message);
  }
}
