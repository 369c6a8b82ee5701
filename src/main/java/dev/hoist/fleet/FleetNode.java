package dev.hoist.fleet;

import dev.hoist.project.NodeSpec;
import java.util.List;

/**
 * A node picked for a command, with its roles in the chosen environment (web when none was chosen).
 */
public record FleetNode(NodeSpec spec, List<String> roles) {
  public FleetNode {
    roles = List.copyOf(roles);
  }

  public String name() {
    return spec.name();
  }
}
