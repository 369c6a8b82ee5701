package dev.hoist.engine;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The changes a node needs, in dependency order, plus the changes of resources left to the caller
 * ({@code deferred}: e.g. the app server, which the release starts or reloads itself after it
 * switches).
 */
public record Plan(List<Change> changes, Map<String, Change> deferred) {
  public Plan {
    changes = List.copyOf(changes);
    deferred = Map.copyOf(deferred);
  }

  public boolean isEmpty() {
    return changes.isEmpty() && deferred.isEmpty();
  }

  /**
   * The agent steps: every package install folded into one apt-get run at the first one; deferred
   * changes contribute all but their last step (a service is enabled now, started by the caller);
   * and every service is enabled before the first one starts, so the supervisor's one scan finds
   * them all.
   */
  public List<ObjectNode> steps() {
    List<ObjectNode> all = new ArrayList<>();
    changes.forEach(c -> all.addAll(c.steps()));
    deferred.values().forEach(c -> all.addAll(c.steps().subList(0, c.steps().size() - 1)));
    List<ObjectNode> enables = all.stream().filter(s -> is(s, "service.enable")).toList();
    List<ObjectNode> out = new ArrayList<>();
    ObjectNode apt = null;
    boolean enabled = false;
    for (ObjectNode step : all) {
      if (is(step, "service.enable")) {
        continue;
      }
      if (!enabled && is(step, "service.up")) {
        out.addAll(enables);
        enabled = true;
      }
      if (!is(step, "apt.install")) {
        out.add(step);
      } else if (apt == null) {
        apt = step.deepCopy().put("id", "packages");
        out.add(apt);
      } else {
        ((ArrayNode) apt.get("names")).addAll((ArrayNode) step.get("names"));
      }
    }
    if (!enabled) {
      out.addAll(enables);
    }
    return out;
  }

  private static boolean is(ObjectNode step, String op) {
    return op.equals(step.path("do").asText());
  }
}
