package dev.hoist.rollout;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** What a rollout did: how it ended, why, and which node runs which release. */
public record RolloutReport(
    Outcome outcome,
    String message,
    List<NodeResult> nodes,
    Optional<String> release,
    Duration elapsed) {

  /** How a rollout ended. */
  public enum Outcome {
    /** Every node that needed it switched and is healthy. */
    DONE,
    /** A canary switched and waits for 'hoist deploy --continue' or 'hoist rollback'. */
    PAUSED,
    /** A batch failed: the rollout stopped there (see the nodes for who runs what). */
    FAILED,
    /** Ctrl-C: the batch in progress finished and no other started. */
    INTERRUPTED
  }

  public boolean ok() {
    return outcome == Outcome.DONE || outcome == Outcome.PAUSED;
  }
}
