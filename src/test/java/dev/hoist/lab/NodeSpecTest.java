package dev.hoist.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NodeSpecTest {
  @Test
  void everythingFollowsFromTheNumber() {
    NodeSpec n = NodeSpec.of(1);
    assertThat(n.name()).isEqualTo("lab1");
    assertThat(n.address()).isEqualTo("10.213.77.11");
    assertThat(n.netns()).isEqualTo("hoist-lab1");
    assertThat(n.hostVeth()).isEqualTo("hl-lab1");
    assertThat(NodeSpec.of(10).address()).isEqualTo("10.213.77.20");
  }

  @Test
  void theLastNodeStaysInsideTheSubnetAndItsInterfaceNameFits() {
    NodeSpec last = NodeSpec.of(NodeSpec.MAX_NODES);
    assertThat(last.address()).isEqualTo("10.213.77.250");
    assertThat(last.hostVeth().length()).isLessThanOrEqualTo(15);
    assertThatThrownBy(() -> NodeSpec.of(NodeSpec.MAX_NODES + 1))
        .hasMessageContaining("lab1 to lab240");
    assertThatThrownBy(() -> NodeSpec.of(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void namesParseBackToTheSameNode() {
    assertThat(NodeSpec.named("lab17")).isEqualTo(NodeSpec.of(17));
    assertThat(NodeSpec.parse("lab3")).contains(NodeSpec.of(3));
  }

  @ParameterizedTest
  @ValueSource(strings = {"lab0", "lab01", "lab241", "lab", "web1", "lab1 ", "LAB1", "../lab1"})
  void otherNamesAreRefusedWithTheRange(String name) {
    assertThatThrownBy(() -> NodeSpec.named(name))
        .hasMessage("no lab node is called '" + name + "': nodes are lab1 to lab240");
    assertThat(NodeSpec.parse(name)).isEmpty();
  }
}
