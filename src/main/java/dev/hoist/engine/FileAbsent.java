package dev.hoist.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A file hoist wrote that is no longer wanted (its setting left hoist.yml): while it is there,
 * {@code before} runs (what the file stood for is taken down, e.g. a service stopped), then the
 * file is unlinked, never what it points to; {@code why} is the plan's reason. Its absence is what
 * a later probe sees, so this is done once.
 */
public record FileAbsent(String path, String summary, String why, List<AgentOp> before)
    implements Resource {

  public FileAbsent {
    before = List.copyOf(before);
  }

  /** Just the file removed. */
  public static FileAbsent of(String path, String why) {
    return new FileAbsent(path, "remove " + path, why, List.of());
  }

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
    List<AgentStep> steps = new ArrayList<>();
    before.forEach(op -> steps.add(AgentStep.of(id(), op)));
    steps.add(AgentStep.of(id(), new AgentOp.PathRemove(path)));
    return Optional.of(new Change(id(), Change.Kind.UPDATE, summary, List.of(why), "", steps));
  }
}
