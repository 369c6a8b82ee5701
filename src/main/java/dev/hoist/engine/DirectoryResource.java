package dev.hoist.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/** A directory with an owner and mode. */
public record DirectoryResource(String path, Attributes attributes) implements Resource {
  @Override
  public String id() {
    return "dir:" + path;
  }

  @Override
  public ProbeRequest probe() {
    return new ProbeRequest(id(), new ProbeKind.Dir(path));
  }

  @Override
  public Optional<Change> diff(JsonNode current) {
    AgentStep step = AgentStep.of(id(), new AgentOp.DirEnsure(path, attributes));
    if (!current.path("exists").asBoolean()) {
      return Optional.of(
          new Change(
              id(),
              Change.Kind.CREATE,
              "create " + path + "/",
              List.of("missing"),
              "",
              List.of(step)));
    }
    if (!"dir".equals(current.path("type").asText())) {
      throw new PlanException(
          path
              + " exists but is a "
              + current.path("type").asText()
              + ", not a directory; move it away");
    }
    List<String> reasons = attributes.differences(current);
    if (reasons.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Change(id(), Change.Kind.UPDATE, "fix " + path + "/", reasons, "", List.of(step)));
  }
}
