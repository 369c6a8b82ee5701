package dev.hoist.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/** A system user that logs in nowhere: the identity an app runs as. */
public record UserResource(String name, String group, String home, String shell)
    implements Resource {
  @Override
  public String id() {
    return "user:" + name;
  }

  @Override
  public ProbeRequest probe() {
    return new ProbeRequest(id(), new ProbeKind.User(name));
  }

  @Override
  public Optional<Change> diff(JsonNode current) {
    if (current.path("exists").asBoolean()) {
      return Optional.empty();
    }
    AgentStep step = AgentStep.of(id(), new AgentOp.UserCreate(name, group, home, shell));
    return Optional.of(
        new Change(
            id(),
            Change.Kind.CREATE,
            "create system user " + name + " (home " + home + ")",
            List.of("missing"),
            "",
            List.of(step)));
  }
}
