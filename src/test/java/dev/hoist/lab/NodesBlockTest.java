package dev.hoist.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodesBlockTest {
  @Test
  void rendersOneFlowMappingPerNodeInTheGivenOrder() {
    Map<String, String> nodes = new LinkedHashMap<>();
    nodes.put("lab1", "10.213.77.11");
    nodes.put("lab2", "10.213.77.12");
    LabLayout l = LabLayout.standard();
    assertThat(NodesBlock.render(nodes, "deploy", l.clientKey(), l.knownHosts()))
        .isEqualTo(
            """
        nodes:
          lab1: {host: 10.213.77.11, user: deploy, key: /var/lib/hoist-lab/id_ed25519, known_hosts: /var/lib/hoist-lab/known_hosts}
          lab2: {host: 10.213.77.12, user: deploy, key: /var/lib/hoist-lab/id_ed25519, known_hosts: /var/lib/hoist-lab/known_hosts}
        """);
  }

  @Test
  void noNodesIsAnEmptyBlock() {
    assertThat(NodesBlock.render(Map.of(), "root", Path.of("/k"), Path.of("/h")))
        .isEqualTo("nodes:\n");
  }
}
