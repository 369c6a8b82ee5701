package dev.hoist.rollout;

/** A rollout that could not start or go on, with what to do; nothing half-done is left behind. */
public final class RolloutException extends Exception {
  /** Why: the command's exit code follows from it. */
  public enum Kind {
    /** A node (the balancer above all) cannot be reached: nothing was changed. */
    UNREACHABLE,
    /** Another deploy holds the environment's lock, or a canary waits. */
    LOCKED,
    /** The request does not fit the environment (no balancer, no canary to continue, ...). */
    USAGE,
    /** A step on a node failed. */
    FAILED
  }

  private final Kind kind;

  public RolloutException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
