package dev.hoist.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.project.HealthSpec;
import dev.hoist.project.RolloutSpec;
import dev.hoist.project.RolloutSpec.OnFailure;
import dev.hoist.project.RolloutSpec.Share;
import dev.hoist.release.DeployReport;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The batch runner's decisions, with nodes faked at the switch (no balancer). */
class RolloutTest {
  private static final List<List<String>> THREE =
      List.of(List.of("web1"), List.of("web2"), List.of("web3"));

  /**
   * Nodes on "old" that switch to "new", except the sick ones (switch back themselves) and the dead
   * ones.
   */
  static final class FakeNodes implements Rollout.NodeSwitch {
    final Map<String, String> live =
        new ConcurrentHashMap<>(Map.of("web1", "old", "web2", "old", "web3", "old", "web4", "old"));
    final List<String> calls = new CopyOnWriteArrayList<>();
    final Set<String> sick;
    final Set<String> dead;

    FakeNodes(Set<String> sick, Set<String> dead) {
      this.sick = sick;
      this.dead = dead;
    }

    @Override
    public DeployReport apply(String node) throws IOException {
      calls.add("switch " + node);
      if (dead.contains(node)) {
        throw new IOException("connection lost");
      }
      boolean ok = !sick.contains(node);
      if (ok) {
        live.put(node, "new");
      }
      return report(
          node, ok, ok ? Optional.empty() : Optional.of("health check failed: HTTP 500"), "new");
    }

    @Override
    public DeployReport revert(String node) {
      calls.add("revert " + node);
      live.put(node, "old");
      return report(node, true, Optional.empty(), "old");
    }

    private DeployReport report(String node, boolean ok, Optional<String> error, String to) {
      return new DeployReport(
          node,
          true,
          List.of(),
          Optional.of("old"),
          Optional.of(to),
          "",
          ok,
          error,
          !ok,
          Optional.of(ok ? to : "old"),
          ok ? "healthy" : "failed",
          Duration.ZERO,
          1,
          List.of());
    }
  }

  static Rollout rollout(OnFailure onFailure) {
    return rollout(onFailure, new AtomicBoolean());
  }

  static Rollout rollout(OnFailure onFailure, AtomicBoolean stop) {
    return new Rollout(
        Optional.empty(),
        new RolloutSpec(new Share(1, false), new Share(1, false), Duration.ZERO, onFailure),
        HealthSpec.defaults(),
        RolloutListener.none(),
        stop);
  }

  @Test
  void everyBatchSwitchesInTurn() throws Exception {
    FakeNodes nodes = new FakeNodes(Set.of(), Set.of());

    Rollout.Run run = rollout(OnFailure.STOP).run(THREE, nodes);

    assertThat(run.outcome()).isEqualTo(RolloutReport.Outcome.DONE);
    assertThat(nodes.calls).containsExactly("switch web1", "switch web2", "switch web3");
    assertThat(run.nodes().values())
        .extracting(NodeResult::state)
        .containsOnly(NodeResult.State.SWITCHED);
    assertThat(run.nodes().get("web2").live()).contains("new");
  }

  @Test
  void aSickNodeStopsTheRolloutAndItsBatchGoesBack() throws Exception {
    FakeNodes nodes = new FakeNodes(Set.of("web3"), Set.of());
    List<List<String>> batches = List.of(List.of("web1", "web2"), List.of("web3", "web4"));

    Rollout.Run run = rollout(OnFailure.STOP).run(batches, nodes);

    assertThat(run.outcome()).isEqualTo(RolloutReport.Outcome.FAILED);
    assertThat(run.message())
        .startsWith("batch 2 of 2 failed: web3: health check failed: HTTP 500")
        .endsWith("the rollout stopped there");
    assertThat(nodes.live)
        .containsEntry("web1", "new")
        .containsEntry("web2", "new")
        .containsEntry("web3", "old")
        .containsEntry("web4", "old");
    assertThat(run.nodes().get("web3").state()).isEqualTo(NodeResult.State.FAILED);
    assertThat(run.nodes().get("web4").state()).isEqualTo(NodeResult.State.REVERTED);
    assertThat(nodes.calls).contains("revert web4").doesNotContain("revert web1", "revert web3");
  }

  @Test
  void aFailedFirstBatchNeverReachesTheNext() throws Exception {
    FakeNodes nodes = new FakeNodes(Set.of("web1"), Set.of());

    Rollout.Run run = rollout(OnFailure.STOP).run(THREE, nodes);

    assertThat(nodes.calls).containsExactly("switch web1");
    assertThat(run.nodes()).containsOnlyKeys("web1");
  }

  @Test
  void rollbackAllTakesEarlierBatchesBackToo() throws Exception {
    FakeNodes nodes = new FakeNodes(Set.of("web3"), Set.of());

    Rollout.Run run = rollout(OnFailure.ROLLBACK_ALL).run(THREE, nodes);

    assertThat(run.outcome()).isEqualTo(RolloutReport.Outcome.FAILED);
    assertThat(run.message()).contains("rollback_all put every switched node back");
    assertThat(nodes.live)
        .containsEntry("web1", "old")
        .containsEntry("web2", "old")
        .containsEntry("web3", "old");
    // Later batches go back first, as a deploy unwinds.
    assertThat(nodes.calls).containsSubsequence("switch web3", "revert web2", "revert web1");
    assertThat(run.nodes().get("web1").state()).isEqualTo(NodeResult.State.REVERTED);
  }

  @Test
  void aNodeThatCannotBeReachedIsReportedForAttention() throws Exception {
    FakeNodes nodes = new FakeNodes(Set.of(), Set.of("web2"));

    Rollout.Run run = rollout(OnFailure.STOP).run(THREE, nodes);

    assertThat(run.outcome()).isEqualTo(RolloutReport.Outcome.FAILED);
    NodeResult web2 = run.nodes().get("web2");
    assertThat(web2.state()).isEqualTo(NodeResult.State.BROKEN);
    assertThat(web2.error()).hasValueSatisfying(e -> assertThat(e).contains("connection lost"));
    assertThat(nodes.calls).doesNotContain("switch web3");
  }

  @Test
  void stoppedBeforeABatchStartsNoMore() throws Exception {
    FakeNodes nodes = new FakeNodes(Set.of(), Set.of());
    AtomicBoolean stop = new AtomicBoolean(true);
    Rollout rollout = rollout(OnFailure.STOP, stop);

    Rollout.Run run = rollout.run(THREE, nodes);

    assertThat(run.outcome()).isEqualTo(RolloutReport.Outcome.INTERRUPTED);
    assertThat(run.message()).startsWith("interrupted: batch 1 of 3 and later were not started");
    assertThat(nodes.calls).isEmpty();
  }

  @Test
  void readyTimeoutCoversTheHealthyChecksOfTheBalancer() {
    var health = HealthSpec.defaults();
    // 2 checks in a row, 0.5 s apart, each up to 5 s: at least 3 x 5.5 s, plus slack.
    assertThat(Rollout.readyTimeout(health)).isEqualTo(Duration.ofMillis(21_500));
  }
}
