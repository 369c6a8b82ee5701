package dev.hoist.engine;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * One planned change to a resource: what (summary), why (reasons), a readable diff where it helps,
 * and the agent steps that make it.
 */
public record Change(
    String id,
    Kind kind,
    String summary,
    List<String> reasons,
    String diff,
    // Steps carry file contents, secrets included: never part of a printed report.
    @JsonIgnore List<AgentStep> steps) {
  /** What happens to the resource. */
  public enum Kind {
    CREATE,
    UPDATE,
    REFRESH
  }

  public Change {
    reasons = List.copyOf(reasons);
    steps = List.copyOf(steps);
    diff = diff == null ? "" : diff;
  }
}
