package dev.hoist.rollout;

import java.time.Duration;
import java.util.Optional;

/**
 * How a rollout left one web node: what it did there, which release it serves, how long it was out.
 */
public record NodeResult(
    String node,
    State state,
    Optional<String> live,
    Optional<String> error,
    Duration outOfBalancer) {

  /** What happened to the node. */
  public enum State {
    /** Its batch never came (stopped, a canary, Ctrl-C): still on its old release. */
    NOT_SWITCHED("not switched"),
    /** Nothing to switch: it already served this code. */
    UNCHANGED("unchanged"),
    SWITCHED("switched"),
    /** Its check failed and it went back to the previous release. */
    FAILED("failed, rolled back"),
    /**
     * It switched and was healthy, then went back because its batch (or, with rollback_all,
     * another) failed.
     */
    REVERTED("rolled back"),
    /** The node could not be reached, or its switch-back failed: see the error. */
    BROKEN("needs attention");

    private final String label;

    State(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /** The same result, out of the balancer for {@code out}. */
  public NodeResult withOut(Duration out) {
    return new NodeResult(node, state, live, error, out);
  }

  public static NodeResult untouched(String node, State state, Optional<String> live) {
    return new NodeResult(node, state, live, Optional.empty(), Duration.ZERO);
  }
}
