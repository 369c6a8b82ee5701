package dev.hoist.project;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.project.RolloutSpec.OnFailure;
import dev.hoist.project.RolloutSpec.Share;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code rollout} section and {@code release.run_once}. */
class SpecRolloutTest {
  @TempDir Path dir;
  TestProject project;

  @BeforeEach
  void setUp() {
    project = new TestProject(dir);
  }

  @Test
  void withoutTheSectionOneNodeAtATimeDrainedForUpTo10s() throws Exception {
    RolloutSpec r = project.loadWith("").rollout();

    assertThat(r).isEqualTo(RolloutSpec.defaults());
    assertThat(r.drain()).isEqualTo(Duration.ofSeconds(10));
    assertThat(r.batchSize(3)).isEqualTo(1);
  }

  @Test
  void readsCountsPercentagesDrainAndOnFailure() throws Exception {
    RolloutSpec r =
        project
            .loadWith(
                "rollout: {batch: 50%, max_unavailable: 2, drain: 500ms, on_failure: rollback_all}\n")
            .rollout();

    assertThat(r)
        .isEqualTo(
            new RolloutSpec(
                new Share(50, true),
                new Share(2, false),
                Duration.ofMillis(500),
                OnFailure.ROLLBACK_ALL));
  }

  @Test
  void maxUnavailableFollowsTheBatchWhenUnset() throws Exception {
    assertThat(project.loadWith("rollout: {batch: 2}\n").rollout().maxUnavailable())
        .isEqualTo(new Share(2, false));
  }

  @Test
  void batchSizeIsBoundedByMaxUnavailableAndLeavesOneNodeInTheBalancer() {
    RolloutSpec half =
        new RolloutSpec(new Share(50, true), new Share(50, true), Duration.ZERO, OnFailure.STOP);
    assertThat(half.batchSize(4)).isEqualTo(2);
    assertThat(half.batchSize(3)).isEqualTo(1); // 50% of 3 rounds down
    assertThat(half.batchSize(1)).isEqualTo(1);
    RolloutSpec all =
        new RolloutSpec(new Share(100, true), new Share(10, false), Duration.ZERO, OnFailure.STOP);
    assertThat(all.batchSize(3)).isEqualTo(2);
    RolloutSpec bounded =
        new RolloutSpec(new Share(5, false), new Share(1, false), Duration.ZERO, OnFailure.STOP);
    assertThat(bounded.batchSize(10)).isEqualTo(1);
  }

  @Test
  void aBadBatchIsPointedAtWithAnExample() {
    SpecProblem p = project.problemWith("rollout:\n  batch: 0\n");

    assertThat(TestProject.where(p))
        .isEqualTo(
            "4:10: rollout.batch: expected a number of nodes or a percentage,"
                + " like 1 or 25%, found '0'");
    assertThat(p.hint()).hasValueSatisfying(h -> assertThat(h).contains("batch: 50%"));
  }

  @Test
  void aPercentageOver100IsRefused() {
    SpecProblem p = project.problemWith("rollout: {max_unavailable: 150%}\n");

    assertThat(p.key()).isEqualTo("rollout.max_unavailable");
    assertThat(p.message()).contains("found '150%'");
  }

  @Test
  void anUnknownOnFailureSaysWhatEachChoiceDoes() {
    SpecProblem p = project.problemWith("rollout: {on_failure: rollback}\n");

    assertThat(p.message()).contains("expected stop or rollback_all, found 'rollback'");
    assertThat(p.hint())
        .hasValueSatisfying(h -> assertThat(h).contains("'rollback_all' every node that switched"));
  }

  @Test
  void aTypoInTheSectionGetsADidYouMean() {
    assertThat(project.problemWith("rollout: {drian: 5s}\n").hint())
        .contains("did you mean 'drain'?");
  }

  @Test
  void runOnceHooksAreCommandsLikeBeforeActivate() throws Exception {
    ReleaseSpec r =
        project
            .loadWith(
                "release:\n  run_once: [python manage.py migrate --noinput]\n  before_activate: ['true']\n")
            .release();

    assertThat(r.runOnce()).containsExactly(List.of("python", "manage.py", "migrate", "--noinput"));
    assertThat(r.beforeActivate()).containsExactly(List.of("true"));
  }
}
