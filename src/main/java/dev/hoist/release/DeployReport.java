package dev.hoist.release;

import dev.hoist.engine.Change;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a deploy (or a plan) did on one node: the changes, the release it made and whether it went
 * live, health, the error if it failed, and what it cost.
 */
public record DeployReport(
    String node,
    boolean applied,
    List<Change> changes,
    Optional<String> liveBefore,
    Optional<String> newRelease,
    String releaseReason,
    boolean ok,
    Optional<String> error,
    boolean rolledBack,
    Optional<String> live,
    String health,
    Duration elapsed,
    int roundTrips) {

  /** Resources changed plus the release, if one was made. */
  public int changedCount() {
    return changes.size() + (newRelease.isPresent() ? 1 : 0);
  }
}
