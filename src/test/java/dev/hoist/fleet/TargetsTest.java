package dev.hoist.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.project.EnvironmentSpec;
import dev.hoist.project.EnvironmentSpec.NodeRef;
import dev.hoist.project.Inventory;
import dev.hoist.project.NodeSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which nodes --env and --node pick, and what a typo gets. */
class TargetsTest {
  static NodeSpec node(String name) {
    return TestNodes.spec(name, name + ".example.com");
  }

  static final Inventory INVENTORY = inventory();

  static Inventory inventory() {
    Map<String, NodeSpec> nodes = new LinkedHashMap<>();
    for (String n : List.of("web1", "web2", "work1", "lb1", "spare")) {
      nodes.put(n, node(n));
    }
    Map<String, List<NodeRef>> roles = new LinkedHashMap<>();
    roles.put("web", List.of(new NodeRef("web1", "f:1:1"), new NodeRef("web2", "f:1:2")));
    roles.put("worker", List.of(new NodeRef("work1", "f:1:3")));
    roles.put("lb", List.of(new NodeRef("lb1", "f:1:4")));
    return new Inventory(nodes, Map.of("live", new EnvironmentSpec("live", roles, "f:1:1")));
  }

  @Test
  void anEnvironmentPicksAllItsNodesWithRoles() throws Exception {
    List<FleetNode> picked = Targets.select(INVENTORY, Optional.of("live"), List.of());

    assertThat(picked).extracting(FleetNode::name).containsExactly("web1", "web2", "work1", "lb1");
    assertThat(picked.get(2).roles()).containsExactly("worker");
    assertThat(picked.get(3).roles()).containsExactly("lb");
  }

  @Test
  void nodesNarrowAnEnvironment() throws Exception {
    assertThat(Targets.select(INVENTORY, Optional.of("live"), List.of("web2")))
        .extracting(FleetNode::name)
        .containsExactly("web2");
  }

  @Test
  void nodesAloneComeFromTheInventory() throws Exception {
    assertThat(Targets.select(INVENTORY, Optional.empty(), List.of("spare")))
        .extracting(FleetNode::name)
        .containsExactly("spare");
  }

  @Test
  void typosGetTheClosestNameAndTheList() {
    assertThatThrownBy(() -> Targets.select(INVENTORY, Optional.of("lvie"), List.of()))
        .hasMessageStartingWith(
            "no environment named 'lvie'; did you mean 'live'? (environments: live)");
    assertThatThrownBy(() -> Targets.select(INVENTORY, Optional.of("live"), List.of("spare")))
        .hasMessage("node 'spare' is not in environment live (its nodes: web1, web2, work1, lb1)");
    assertThatThrownBy(() -> Targets.select(INVENTORY, Optional.empty(), List.of("web3")))
        .hasMessage(
            "no node named 'web3' in the inventory; did you mean 'web1'?"
                + " (nodes: web1, web2, work1, lb1, spare)");
  }
}
