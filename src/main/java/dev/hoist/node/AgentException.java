package dev.hoist.node;

/** The agent could not run on a node, or broke its protocol. */
public final class AgentException extends Exception {
  private static final long serialVersionUID = 1L;

  public AgentException(String message, Throwable cause) {
    super(message, cause);
  }
}
