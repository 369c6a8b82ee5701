package dev.hoist.engine;

/**
 * One apply step: its id (reported back in events and {@code done}), the operation, and whether it
 * runs even after an interrupt ({@code finish}: steps after a switch, so the node stays
 * consistent).
 */
public record AgentStep(String id, AgentOp op, boolean finish) {

  public static AgentStep of(String id, AgentOp op) {
    return new AgentStep(id, op, false);
  }

  public AgentStep withId(String newId) {
    return new AgentStep(newId, op, finish);
  }

  /** The same step, run to the end even on Ctrl-C. */
  public AgentStep finishing() {
    return new AgentStep(id, op, true);
  }
}
