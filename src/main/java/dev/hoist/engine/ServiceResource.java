package dev.hoist.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A supervised daemon that should be enabled and running: under runit ({@code /etc/sv/NAME}, linked
 * into {@code /etc/service}) or systemd when that is PID 1. A refresh reloads or restarts it.
 */
public record ServiceResource(
    String name, Supervisor supervisor, Refresh refresh, Duration stopTimeout) implements Resource {

  /** The process supervisor on the node. */
  public enum Supervisor {
    RUNIT,
    SYSTEMD
  }

  /** What a refresh does. */
  public enum Refresh {
    /** Send HUP (a graceful reload for nginx). */
    RELOAD,
    /** HUP a pre-fork master and wait until all its workers have been replaced (gunicorn). */
    REPLACE_WORKERS,
    /** Stop (waiting up to the stop timeout) and start again. */
    RESTART
  }

  @Override
  public String id() {
    return "service:" + name;
  }

  @Override
  public ProbeRequest probe() {
    return new ProbeRequest(id(), new ProbeKind.Service(name, supervisor));
  }

  @Override
  public Optional<Change> diff(JsonNode current) {
    boolean enabled = current.path("enabled").asBoolean();
    String state = current.path("state").asText("");
    if (enabled && "run".equals(state) && current.path("supervisor_running").asBoolean(true)) {
      return Optional.empty();
    }
    String why =
        !enabled
            ? "not enabled"
            : "not running (" + (state.isEmpty() ? "no supervisor" : state) + ")";
    // Enabling first lets the supervisor pick the service up while other steps run; the last step
    // starts it (see Plan#preparatorySteps).
    AgentStep up = step(new AgentOp.ServiceUp(target()));
    List<AgentStep> steps =
        enabled ? List.of(up) : List.of(step(new AgentOp.ServiceEnable(target())), up);
    return Optional.of(
        new Change(id(), Change.Kind.CREATE, "start " + name, List.of(why), "", steps));
  }

  /** The change a notification asks for: the service's own kind of refresh. */
  public Change refreshChange(String why) {
    return refreshChange(why, false);
  }

  /** The change a notification asks for; {@code restart} overrides a reload with a full restart. */
  public Change refreshChange(String why, boolean restart) {
    Refresh how = restart ? Refresh.RESTART : refresh;
    AgentStep step =
        step(
            switch (how) {
              case RELOAD -> new AgentOp.ServiceSignal(target(), AgentOp.ServiceSignal.How.RELOAD);
              case RESTART ->
                  new AgentOp.ServiceSignal(target(), AgentOp.ServiceSignal.How.RESTART);
              case REPLACE_WORKERS -> new AgentOp.GunicornReload(target());
            });
    return new Change(
        id(),
        Change.Kind.REFRESH,
        (how == Refresh.RESTART ? "restart " : "reload ") + name,
        List.of(why),
        "",
        List.of(step));
  }

  private AgentStep step(AgentOp op) {
    return AgentStep.of(id(), op);
  }

  /** The service as its steps name it; a step may take the stop timeout plus 10 s, at least 30. */
  private AgentOp.Service target() {
    Duration timeout = Duration.ofSeconds(Math.max(30, stopTimeout.toSeconds() + 10));
    return new AgentOp.Service(name, supervisor, stopTimeout, timeout);
  }
}
