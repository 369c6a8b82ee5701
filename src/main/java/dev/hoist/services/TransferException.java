package dev.hoist.services;

/** Why moving a bundle failed: the kind tells the exit code, the message what to do. */
public final class TransferException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The kinds a command tells apart. */
  public enum Kind {
    /** The bundle is not right (truncated, altered): refused before the data changed. */
    BUNDLE,
    /** The runner refused its input (another app's bundle, a target with data, a bad name). */
    REFUSED,
    /** The runner failed on the node (PostgreSQL down, disk full), or writing here failed. */
    FAILED,
    /** The node was lost under the stream. */
    NODE,
    /** Ctrl-C: the stream was cut; the node kept its live data. */
    INTERRUPTED
  }

  private final Kind kind;

  public TransferException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
