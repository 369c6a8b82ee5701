package dev.hoist.fleet;

import dev.hoist.project.EnvironmentSpec;
import dev.hoist.project.Inventory;
import dev.hoist.project.NodeSpec;
import dev.hoist.project.Suggestions;
import dev.hoist.project.UserConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Picks the nodes a command runs on from {@code --env} and {@code --node}. */
public final class Targets {
  private Targets() {}

  /**
   * The environment's nodes (all of them, or those named), or with no environment the named nodes
   * of the inventory, each with its roles. At least one of {@code env} and {@code names} is given.
   *
   * @throws TargetException for an unknown environment or node, naming the ones there are
   */
  public static List<FleetNode> select(
      Inventory inventory, Optional<String> env, List<String> names) throws TargetException {
    if (env.isEmpty()) {
      List<FleetNode> out = new ArrayList<>();
      for (String name : names) {
        out.add(
            new FleetNode(
                node(inventory, name, inventory.nodes().keySet(), "the inventory"),
                List.of("web")));
      }
      return out;
    }
    EnvironmentSpec e = inventory.environments().get(env.get());
    if (e == null) {
      throw new TargetException(
          "no environment named '"
              + env.get()
              + "'"
              + hint(env.get(), inventory.environments().keySet(), "environments")
              + "; declare it under environments: in hoist.yml or "
              + UserConfig.defaultPath());
    }
    List<String> inEnv = e.refs().stream().map(EnvironmentSpec.NodeRef::name).toList();
    List<String> picked = names.isEmpty() ? inEnv : names;
    List<FleetNode> out = new ArrayList<>();
    for (String name : picked) {
      if (!inEnv.contains(name)) {
        throw new TargetException(
            "node '"
                + name
                + "' is not in environment "
                + e.name()
                + hint(name, inEnv, "its nodes"));
      }
      out.add(new FleetNode(node(inventory, name, inEnv, e.name()), e.rolesOf(name)));
    }
    return out;
  }

  private static NodeSpec node(
      Inventory inventory, String name, Collection<String> known, String where)
      throws TargetException {
    NodeSpec spec = inventory.nodes().get(name);
    if (spec == null) {
      throw new TargetException(
          "no node named '" + name + "' in " + where + hint(name, known, "nodes"));
    }
    return spec;
  }

  private static String hint(String name, Collection<String> known, String what) {
    if (known.isEmpty()) {
      return " (there are no " + what + " yet)";
    }
    return Suggestions.closest(name, known).map(s -> "; did you mean '" + s + "'?").orElse("")
        + " ("
        + what
        + ": "
        + String.join(", ", known)
        + ")";
  }
}
