package dev.hoist.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NodeSpecTest {
  private static final String RANGES = "nodes are lab1 to lab180 (runit) and sd1 to sd50 (systemd)";

  @Test
  void everythingFollowsFromTheNumber() {
    NodeSpec n = NodeSpec.of(1);
    assertThat(n.name()).isEqualTo("lab1");
    assertThat(n.address()).isEqualTo("10.213.77.11");
    assertThat(n.netns()).isEqualTo("hoist-lab1");
    assertThat(n.hostVeth()).isEqualTo("hl-lab1");
    assertThat(n.init()).isEqualTo(Init.RUNIT);
    assertThat(NodeSpec.of(10).address()).isEqualTo("10.213.77.20");
  }

  @Test
  void systemdNodesHaveTheirOwnNamesAndAddresses() {
    NodeSpec n = NodeSpec.of(Init.SYSTEMD, 1);
    assertThat(n.name()).isEqualTo("sd1");
    assertThat(n.address()).isEqualTo("10.213.77.201");
    assertThat(n.netns()).isEqualTo("hoist-sd1");
    assertThat(n.hostVeth()).isEqualTo("hl-sd1");
    assertThat(n.init()).isEqualTo(Init.SYSTEMD);
  }

  @Test
  void theLastNodesStayInsideTheSubnetWithoutOverlapAndTheirInterfaceNamesFit() {
    NodeSpec last = NodeSpec.of(NodeSpec.MAX_NODES);
    assertThat(last.address()).isEqualTo("10.213.77.190");
    assertThat(last.hostVeth().length()).isLessThanOrEqualTo(15);
    NodeSpec lastSd = NodeSpec.of(Init.SYSTEMD, Init.SYSTEMD.maxNodes());
    assertThat(lastSd.address()).isEqualTo("10.213.77.250");
    assertThat(NodeSpec.of(Init.SYSTEMD, 1).address()).isGreaterThan(last.address());
    assertThatThrownBy(() -> NodeSpec.of(NodeSpec.MAX_NODES + 1))
        .hasMessageContaining("lab1 to lab180");
    assertThatThrownBy(() -> NodeSpec.of(Init.SYSTEMD, 51)).hasMessageContaining("sd1 to sd50");
    assertThatThrownBy(() -> NodeSpec.of(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void namesParseBackToTheSameNode() {
    assertThat(NodeSpec.named("lab17")).isEqualTo(NodeSpec.of(17));
    assertThat(NodeSpec.parse("lab3")).contains(NodeSpec.of(3));
    assertThat(NodeSpec.named("sd4")).isEqualTo(NodeSpec.of(Init.SYSTEMD, 4));
  }

  @Test
  void nodesOfBothKindsWithTheSameNumberAreDifferentNodes() {
    TreeSet<NodeSpec> all = new TreeSet<>(NodeSpec.ORDER);
    all.addAll(List.of(NodeSpec.of(Init.SYSTEMD, 1), NodeSpec.of(2), NodeSpec.of(1)));
    assertThat(all).extracting(NodeSpec::name).containsExactly("lab1", "lab2", "sd1");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "lab0", "lab01", "lab181", "lab", "web1", "lab1 ", "LAB1", "../lab1", "sd51", "sd"
      })
  void otherNamesAreRefusedWithTheRanges(String name) {
    assertThatThrownBy(() -> NodeSpec.named(name))
        .hasMessage("no lab node is called '" + name + "': " + RANGES);
    assertThat(NodeSpec.parse(name)).isEmpty();
  }

  @Test
  void initNamesTheChoicesWhenUnknown() {
    assertThat(Init.parse("systemd")).isEqualTo(Init.SYSTEMD);
    assertThatThrownBy(() -> Init.parse("upstart"))
        .hasMessage("--init must be one of runit, systemd, not 'upstart'");
  }
}
