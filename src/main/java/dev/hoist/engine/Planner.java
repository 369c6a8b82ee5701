package dev.hoist.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Computes a {@link Plan} from a catalog and the probed state of a node. Pure: no I/O. */
public final class Planner {
  private Planner() {}

  /**
   * Diffs every resource; a changed resource refreshes the ones it notifies (unless they are being
   * started anyway). Changes and refreshes of ids in {@code deferred} are not planned but returned
   * in {@link Plan#deferred()}.
   */
  public static Plan plan(Catalog catalog, Map<String, JsonNode> states, Set<String> deferred) {
    List<Change> changes = new ArrayList<>();
    Map<String, List<String>> pendingRefresh = new LinkedHashMap<>();
    Set<String> pendingRestart = new java.util.HashSet<>();
    Map<String, Change> deferredOut = new LinkedHashMap<>();
    for (Catalog.Entry entry : catalog.ordered()) {
      Resource resource = entry.resource();
      JsonNode state = states.getOrDefault(resource.id(), MissingNode.getInstance());
      if (state.has("error")) {
        throw new PlanException(
            "could not probe " + resource.id() + ": " + state.get("error").asText());
      }
      Optional<Change> change = resource.diff(state);
      List<String> why = pendingRefresh.remove(resource.id());
      if (change.isEmpty() && why != null) {
        change = refresh(resource, String.join(", ", why), pendingRestart.contains(resource.id()));
      }
      if (change.isEmpty()) {
        continue;
      }
      if (deferred.contains(resource.id())) {
        deferredOut.put(resource.id(), change.get());
        continue;
      }
      changes.add(change.get());
      for (String target : entry.notifies()) {
        pendingRefresh
            .computeIfAbsent(target, k -> new ArrayList<>())
            .add(resource.id() + " changed");
      }
      pendingRestart.addAll(entry.restarts());
    }
    return new Plan(changes, deferredOut);
  }

  private static Optional<Change> refresh(Resource resource, String why, boolean restart) {
    return switch (resource) {
      case ServiceResource service -> Optional.of(service.refreshChange(why, restart));
      case ExecResource exec -> Optional.of(exec.run(Change.Kind.REFRESH, why));
      default -> Optional.empty();
    };
  }
}
