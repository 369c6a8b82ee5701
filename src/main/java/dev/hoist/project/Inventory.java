package dev.hoist.project;

import java.util.LinkedHashMap;
import java.util.Map;

/** The nodes and environments a project can deploy to: its own, over the user's shared ones. */
public record Inventory(Map<String, NodeSpec> nodes, Map<String, EnvironmentSpec> environments) {
  public Inventory {
    nodes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(nodes));
    environments = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(environments));
  }

  public static Inventory empty() {
    return new Inventory(Map.of(), Map.of());
  }

  /**
   * This inventory with {@code project}'s entries added; a name both declare takes the project's
   * entry, since the project is the more specific file.
   */
  public Inventory overlaidWith(Inventory project) {
    Map<String, NodeSpec> n = new LinkedHashMap<>(nodes);
    n.putAll(project.nodes());
    Map<String, EnvironmentSpec> e = new LinkedHashMap<>(environments);
    e.putAll(project.environments());
    return new Inventory(n, e);
  }
}
