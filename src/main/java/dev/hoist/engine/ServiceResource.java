package dev.hoist.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
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
  public ObjectNode probe() {
    return Steps.probe(id(), "service")
        .put("name", name)
        .put("supervisor", supervisor.name().toLowerCase(Locale.ROOT));
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
    List<ObjectNode> steps =
        enabled ? List.of(step("service.up")) : List.of(step("service.enable"), step("service.up"));
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
    ObjectNode step =
        switch (how) {
          case RELOAD -> step("service.signal").put("how", "reload");
          case RESTART -> step("service.signal").put("how", "restart");
          case REPLACE_WORKERS -> step("gunicorn.reload");
        };
    return new Change(
        id(),
        Change.Kind.REFRESH,
        (how == Refresh.RESTART ? "restart " : "reload ") + name,
        List.of(why),
        "",
        List.of(step));
  }

  private ObjectNode step(String op) {
    return Steps.step(id(), op)
        .put("service", name)
        .put("supervisor", supervisor.name().toLowerCase(Locale.ROOT))
        .put("stop_timeout", stopTimeout.toSeconds())
        .put("timeout", Math.max(30, stopTimeout.toSeconds() + 10));
  }
}
