package dev.hoist.server.history;

import dev.hoist.server.queue.DeployRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One deploy (or rollback) as the history keeps it; {@code phases} holds the time each finished
 * phase took ("fetch", "build", "deploy").
 */
public record DeployRecord(
    long id,
    String project,
    DeployRequest.Kind kind,
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
    Map<String, Duration> phases,
    List<NodeOutcome> nodes) {

  /** From start to finish, once it has both. */
  public Optional<Duration> duration() {
    return startedAt.flatMap(s -> finishedAt.map(f -> Duration.between(s, f)));
  }

  DeployRecord withNodes(List<NodeOutcome> outcomes) {
    return new DeployRecord(
        id,
        project,
        kind,
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
        phases,
        List.copyOf(outcomes));
  }
}
