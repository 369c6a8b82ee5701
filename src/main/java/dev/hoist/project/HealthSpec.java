package dev.hoist.project;

import java.time.Duration;
import java.util.Optional;

/**
 * The health check made through nginx after a switch: GET {@code path} must answer {@code expect}
 * (and contain {@code contains}, if set) {@code healthy} times in a row; {@code unhealthy} failures
 * in a row, or {@code deadline} passing, fail the release. Until the app has answered once, or
 * {@code startPeriod} has passed, the signs of an app still starting (connection refused, nginx's
 * 502/503/504) do not count as failures.
 */
public record HealthSpec(
    String path,
    int expect,
    Optional<String> contains,
    Duration timeout,
    Duration interval,
    int healthy,
    int unhealthy,
    Duration deadline,
    Duration startPeriod) {

  /** A start period as long as the deadline: a starting app gets all the time there is. */
  public HealthSpec(
      String path,
      int expect,
      Optional<String> contains,
      Duration timeout,
      Duration interval,
      int healthy,
      int unhealthy,
      Duration deadline) {
    this(path, expect, contains, timeout, interval, healthy, unhealthy, deadline, deadline);
  }

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
