package dev.hoist.project;

import java.time.Duration;
import java.util.Optional;

/**
 * The health check made through nginx after a switch: GET {@code path} must answer {@code expect}
 * (and contain {@code contains}, if set) {@code healthy} times in a row; {@code unhealthy} failures
 * in a row, or {@code deadline} passing, fail the release.
 */
public record HealthSpec(
    String path,
    int expect,
    Optional<String> contains,
    Duration timeout,
    Duration interval,
    int healthy,
    int unhealthy,
    Duration deadline) {
  /**
   * What {@code hoist.yml} gets without a {@code health} section: {@code GET /} answering 200,
   * twice in a row.
   */
  public static HealthSpec defaults() {
    return new HealthSpec(
        "/",
        200,
        Optional.empty(),
        Duration.ofSeconds(5),
        Duration.ofMillis(500),
        2,
        3,
        Duration.ofSeconds(60));
  }
}
