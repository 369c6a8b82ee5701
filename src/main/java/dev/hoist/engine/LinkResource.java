package dev.hoist.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/** A symbolic link, replaced atomically when it points elsewhere. */
public record LinkResource(String path, String target) implements Resource {
  @Override
  public String id() {
    return "link:" + path;
  }

  @Override
  public ProbeRequest probe() {
    return new ProbeRequest(id(), new ProbeKind.Link(path));
  }

  @Override
  public Optional<Change> diff(JsonNode current) {
    if (target.equals(current.path("target").asText(null))) {
      return Optional.empty();
    }
    boolean exists = current.path("exists").asBoolean();
    if (exists && !"link".equals(current.path("type").asText())) {
      throw new PlanException(path + " exists but is not a symlink; move it away");
    }
    return Optional.of(
        new Change(
            id(),
            exists ? Change.Kind.UPDATE : Change.Kind.CREATE,
            "link " + path + " -> " + target,
            List.of(exists ? "points to " + current.path("target").asText() : "missing"),
            "",
            List.of(AgentStep.of(id(), new AgentOp.LinkEnsure(path, target)))));
  }
}
