package dev.hoist.health;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.engine.Steps;
import dev.hoist.project.HealthSpec;
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
  public ObjectNode step(String id) {
    ObjectNode step =
        Steps.step(id, "http.check")
            .put("host", host)
            .put("path", spec.path())
            .put("expect", spec.expect())
            .put("timeout", seconds(spec.timeout()))
            .put("interval", seconds(spec.interval()))
            .put("healthy", spec.healthy())
            .put("unhealthy", spec.unhealthy())
            .put("deadline", seconds(spec.deadline()))
            .put("start_period", seconds(spec.startPeriod()));
    spec.contains().ifPresent(c -> step.put("contains", c));
    step.set("logs", Steps.array(logsOnFailure));
    return step;
  }

  /**
   * A single quick check, for status and Nagios: one try, no retries, and an app that does not
   * answer is simply unhealthy.
   */
  public ObjectNode once() {
    return step("health").put("healthy", 1).put("unhealthy", 1).put("start_period", 0.0);
  }

  private static double seconds(java.time.Duration d) {
    return d.toMillis() / 1000.0;
  }
}
