package dev.hoist.health;

import dev.hoist.engine.AgentOp;
import dev.hoist.engine.AgentStep;
import dev.hoist.project.HealthSpec;
import java.time.Duration;
import java.util.List;

/**
 * The app's health check, made on the node through nginx: GET the path with the app's domain as
 * Host, until it passes {@code healthy} times in a row or fails {@code unhealthy} times in a row.
 * Until the app first answers, or {@code start_period} passes, the signs of an app still starting
 * (connection refused, nginx's own 502/503/504) are not failures.
 */
public record HealthCheck(HealthSpec spec, String host, List<String> logsOnFailure) {

  /** The URL it checks, for messages. */
  public String url() {
    return "http://" + host + spec.path();
  }

  /** The agent step (also usable as the probe's health request). */
  public AgentStep step(String id) {
    return AgentStep.of(id, check(spec.healthy(), spec.unhealthy(), spec.startPeriod()));
  }

  /**
   * A single quick check, for status and Nagios: one try, no retries, and an app that does not
   * answer is simply unhealthy.
   */
  public AgentStep once() {
    return AgentStep.of("health", check(1, 1, Duration.ZERO));
  }

  private AgentOp.HttpCheck check(int healthy, int unhealthy, Duration startPeriod) {
    return new AgentOp.HttpCheck(
        host,
        spec.path(),
        spec.expect(),
        spec.contains(),
        spec.timeout(),
        spec.interval(),
        healthy,
        unhealthy,
        spec.deadline(),
        startPeriod,
        logsOnFailure);
  }
}
