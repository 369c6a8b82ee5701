package dev.hoist.project;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A named group of nodes (stage, live) with roles: {@code web} nodes run the whole stack, {@code
 * worker} nodes the app and its processes, {@code lb} nodes the load balancer, the {@code db} node
 * the app's backing services ({@link DataPlacement}). {@code lbOnly}: the web nodes answer the
 * app's requests from the balancer (and themselves) only.
 */
public record EnvironmentSpec(
    String name, Map<String, List<NodeRef>> roles, boolean lbOnly, String origin) {
  public static final List<String> ROLES = List.of("web", "worker", "lb", "db");

  /** A node named in an environment, with where it was named so a typo can be pointed at. */
  public record NodeRef(String name, String origin) {}

  public EnvironmentSpec {
    Map<String, List<NodeRef>> copy = new LinkedHashMap<>();
    roles.forEach((role, refs) -> copy.put(role, List.copyOf(refs)));
    roles = java.util.Collections.unmodifiableMap(copy);
  }

  /** An environment whose web nodes answer anyone. */
  public EnvironmentSpec(String name, Map<String, List<NodeRef>> roles, String origin) {
    this(name, roles, false, origin);
  }

  /** Every node reference, in file order by role, each node once. */
  public List<NodeRef> refs() {
    List<NodeRef> all = new ArrayList<>();
    roles
        .values()
        .forEach(
            refs ->
                refs.stream()
                    .filter(r -> all.stream().noneMatch(a -> a.name().equals(r.name())))
                    .forEach(all::add));
    return all;
  }

  /**
   * The node that runs the app's scheduled jobs ({@code cron:}): the first worker node, else the
   * first web node; empty for a balancer-only environment.
   */
  public java.util.Optional<String> cronNode() {
    return roles.getOrDefault("worker", List.of()).stream()
        .findFirst()
        .or(() -> roles.getOrDefault("web", List.of()).stream().findFirst())
        .map(NodeRef::name);
  }

  /** The roles a node has here, in the order of {@link #ROLES}. */
  public List<String> rolesOf(String node) {
    return ROLES.stream()
        .filter(
            role ->
                roles.getOrDefault(role, List.of()).stream().anyMatch(r -> r.name().equals(node)))
        .toList();
  }
}
