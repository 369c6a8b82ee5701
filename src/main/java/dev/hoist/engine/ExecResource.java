package dev.hoist.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A command that brings something about. It runs when its {@code creates} path is missing, or its
 * {@code unless} command fails; a refresh-only exec runs only when a resource it listens to
 * changed.
 */
public record ExecResource(
    String name,
    List<String> argv,
    Optional<String> user,
    Optional<String> cwd,
    Optional<String> creates,
    List<String> unless,
    boolean refreshOnly)
    implements Resource {

  public ExecResource {
    argv = List.copyOf(argv);
    unless = List.copyOf(unless);
  }

  @Override
  public String id() {
    return "exec:" + name;
  }

  @Override
  public ProbeRequest probe() {
    return new ProbeRequest(id(), new ProbeKind.Exec(creates, unless));
  }

  @Override
  public Optional<Change> diff(JsonNode current) {
    if (refreshOnly) {
      return Optional.empty();
    }
    if (creates.isPresent() && current.path("created").asBoolean()) {
      return Optional.empty();
    }
    if (!unless.isEmpty() && current.path("unless_ok").asBoolean()) {
      return Optional.empty();
    }
    String why =
        creates
            .map(c -> c + " is missing")
            .orElse(unless.isEmpty() ? "always runs" : "its check failed");
    return Optional.of(run(Change.Kind.CREATE, why));
  }

  /** The change that runs the command, for a refresh or a failed guard. */
  public Change run(Change.Kind kind, String why) {
    AgentStep step =
        AgentStep.of(id(), new AgentOp.Exec(argv, user, cwd, Map.of(), Optional.empty()));
    return new Change(id(), kind, "run " + name, List.of(why), "", List.of(step));
  }
}
