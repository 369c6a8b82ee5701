package dev.hoist.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * A file hoist wrote that is no longer wanted (its setting left hoist.yml): removed when it is
 * there, with {@code why} as the plan's reason. Only a regular file or a link is unlinked, never
 * what it points to.
 */
public record FileAbsent(String path, String why) implements Resource {
  @Override
  public String id() {
    return "absent:" + path;
  }

  @Override
  public ProbeRequest probe() {
    return new ProbeRequest(id(), new ProbeKind.Link(path));
  }

  @Override
  public Optional<Change> diff(JsonNode current) {
    if (!current.path("exists").asBoolean()) {
      return Optional.empty();
    }
    return Optional.of(
        new Change(
            id(),
            Change.Kind.UPDATE,
            "remove " + path,
            List.of(why),
            "",
            List.of(AgentStep.of(id(), new AgentOp.PathRemove(path)))));
  }
}
