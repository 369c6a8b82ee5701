package dev.hoist.server.history;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** One deploy as the history keeps it. */
public record DeployRecord(
    long id,
    String project,
    String commit,
    String author,
    String message,
    String trigger,
    DeployStatus status,
    Instant queuedAt,
    Optional<Instant> startedAt,
    Optional<Instant> finishedAt,
    Optional<Long> supersededBy,
    Optional<String> error,
    List<NodeOutcome> nodes) {

  /** From start to finish, once it has both. */
  public Optional<Duration> duration() {
    return startedAt.flatMap(s -> finishedAt.map(f -> Duration.between(s, f)));
  }

  DeployRecord withNodes(List<NodeOutcome> outcomes) {
    return new DeployRecord(
        id,
        project,
        commit,
        author,
        message,
        trigger,
        status,
        queuedAt,
        startedAt,
        finishedAt,
        supersededBy,
        error,
        List.copyOf(outcomes));
  }
}
