package dev.hoist.fleet;

import dev.hoist.project.NodeSpec;
import java.util.List;
import java.util.Optional;

/** Nodes for tests: a name, an address, root on port 22, nothing else set. */
public final class TestNodes {
  private TestNodes() {}

  public static NodeSpec spec(String name, String host) {
    return new NodeSpec(
        name,
        host,
        22,
        "root",
        List.of(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        "test");
  }

  public static FleetNode node(String name, String... roles) {
    return new FleetNode(spec(name, name), List.of(roles));
  }
}
