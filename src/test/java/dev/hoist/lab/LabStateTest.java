package dev.hoist.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.lab.LabState.NetworkRecord;
import dev.hoist.lab.LabState.NodeRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabStateTest {
  @TempDir Path dir;

  private static NodeRecord node(int index, long pid) {
    NodeSpec s = NodeSpec.of(index);
    return new NodeRecord(
        s.name(),
        s.address(),
        s.netns(),
        s.hostVeth(),
        pid - 1,
        pid,
        4242,
        List.of("/run/hoist-lab/" + s.name() + "/disk", "/run/hoist-lab/" + s.name() + "/root"),
        1_700_000_000L);
  }

  @Test
  void roundTripsEverythingItRecords() throws Exception {
    LabState state =
        LabState.empty()
            .withNetwork(
                Optional.of(
                    new NetworkRecord("hoistlab0", Optional.of("hoist_lab"), Optional.of("0"))))
            .withNode(node(1, 100))
            .withNode(node(2, 200));
    Path file = dir.resolve("state.json");
    state.save(file);
    assertThat(LabState.load(file)).isEqualTo(state);
    assertThat(dir.resolve("state.json.tmp")).doesNotExist();
  }

  @Test
  void aMissingFileIsAnEmptyLab() throws Exception {
    LabState s = LabState.load(dir.resolve("none.json"));
    assertThat(s.nodes()).isEmpty();
    assertThat(s.network()).isEmpty();
  }

  @Test
  void nodesAreOrderedByNumberNotByText() {
    LabState s =
        LabState.empty().withNode(node(10, 1000)).withNode(node(2, 200)).withNode(node(1, 100));
    assertThat(s.nodes().keySet()).containsExactly("lab1", "lab2", "lab10");
    assertThat(s.withoutNode("lab2").nodes().keySet()).containsExactly("lab1", "lab10");
  }

  @Test
  void stateFromAnEarlierBootKeepsItsNodesButNoneOfTheirProcesses() throws Exception {
    Path file = dir.resolve("state.json");
    new LabState("another-boot", Optional.empty(), new java.util.TreeMap<>())
        .withNode(node(1, 100))
        .save(file);
    LabState s = LabState.load(file);
    assertThat(s.bootId()).isEqualTo(Procfs.bootId());
    NodeRecord r = s.nodes().get("lab1");
    assertThat(r.pid()).isZero();
    assertThat(r.holderPid()).isZero();
    assertThat(r.mounts()).hasSize(2);
  }

  @Test
  void theFileIsReadableJson() throws Exception {
    Path file = dir.resolve("state.json");
    LabState.empty().withNode(node(3, 300)).save(file);
    assertThat(Files.readString(file))
        .contains("\"netns\" : \"hoist-lab3\"")
        .contains("\"pid\" : 300");
  }
}
