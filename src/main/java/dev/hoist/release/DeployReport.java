package dev.hoist.release;

import dev.hoist.engine.Change;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a deploy (or a plan) did on one node: the changes, the release it made and whether it went
 * live, health, the error if it failed, what it cost, and warnings (e.g. a key both in {@code env:}
 * and the secrets; names only).
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
    int roundTrips,
    List<String> warnings) {

  public DeployReport {
    warnings = List.copyOf(warnings);
  }

  /** Resources changed plus the release, if one was made. */
  public int changedCount() {
    return changes.size() + (newRelease.isPresent() ? 1 : 0);
  }

  /**
   * This report with more work done on the node after it (e.g. a certificate obtained and nginx
   * switched to HTTPS): its changes and warnings added, its time and round trips counted.
   */
  public DeployReport plus(
      List<Change> moreChanges, List<String> moreWarnings, Duration more, int roundTripsNow) {
    List<Change> allChanges = new java.util.ArrayList<>(changes);
    allChanges.addAll(moreChanges);
    List<String> allWarnings = new java.util.ArrayList<>(warnings);
    allWarnings.addAll(moreWarnings);
    return new DeployReport(
        node,
        applied || !moreChanges.isEmpty(),
        allChanges,
        liveBefore,
        newRelease,
        releaseReason,
        ok,
        error,
        rolledBack,
        live,
        health,
        elapsed.plus(more),
        roundTripsNow,
        allWarnings);
  }
}
