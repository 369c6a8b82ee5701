package dev.hoist.scaffold;

/** A project that cannot be created; the message says why and what to do instead. */
public final class ScaffoldException extends Exception {
  private static final long serialVersionUID = 1L;

  public ScaffoldException(String message) {
    super(message);
  }

  public ScaffoldException(String message, Throwable cause) {
    super(message, cause);
  }
}
