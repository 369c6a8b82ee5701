package dev.hoist.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/** A system group. */
public record GroupResource(String name) implements Resource {
  @Override
  public String id() {
    return "group:" + name;
  }

  @Override
  public ProbeRequest probe() {
    return new ProbeRequest(id(), new ProbeKind.Group(name));
  }

  @Override
  public Optional<Change> diff(JsonNode current) {
    if (current.path("exists").asBoolean()) {
      return Optional.empty();
    }
    return Optional.of(
        new Change(
            id(),
            Change.Kind.CREATE,
            "create system group " + name,
            List.of("missing"),
            "",
            List.of(AgentStep.of(id(), new AgentOp.GroupCreate(name)))));
  }
}
