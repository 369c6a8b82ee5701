package dev.hoist.health;

import static dev.hoist.engine.AgentProtocol.toJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.project.HealthSpec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The agent step a health check becomes: the gate after a switch, and the probe's one look. */
class HealthCheckTest {
  private final HealthSpec spec =
      new HealthSpec(
          "/healthz",
          200,
          Optional.of("ok"),
          Duration.ofSeconds(5),
          Duration.ofMillis(500),
          2,
          3,
          Duration.ofSeconds(60),
          Duration.ofSeconds(30));
  private final HealthCheck check = new HealthCheck(spec, "hello.localhost", List.of("/x.log"));

  @Test
  void theGateWaitsForAStartingAppUpToTheStartPeriod() {
    ObjectNode step = toJson(check.step("health"));

    assertThat(step.path("do").asText()).isEqualTo("http.check");
    assertThat(step.path("start_period").asDouble()).isEqualTo(30.0);
    assertThat(step.path("deadline").asDouble()).isEqualTo(60.0);
    assertThat(step.path("interval").asDouble()).isEqualTo(0.5);
    assertThat(step.path("unhealthy").asInt()).isEqualTo(3);
    assertThat(step.path("contains").asText()).isEqualTo("ok");
  }

  @Test
  void startPeriodDefaultsToTheDeadline() {
    HealthCheck defaults = new HealthCheck(HealthSpec.defaults(), "hello.localhost", List.of());

    assertThat(toJson(defaults.step("health")).path("start_period").asDouble()).isEqualTo(60.0);
  }

  @Test
  void oneLookDoesNotWaitForAStartingApp() {
    ObjectNode once = toJson(check.once());

    assertThat(once.path("healthy").asInt()).isEqualTo(1);
    assertThat(once.path("unhealthy").asInt()).isEqualTo(1);
    assertThat(once.path("start_period").asDouble()).isZero();
  }
}
