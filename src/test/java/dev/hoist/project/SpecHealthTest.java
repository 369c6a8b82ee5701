package dev.hoist.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code health} section. */
class SpecHealthTest {
  @TempDir Path dir;
  TestProject project;

  @BeforeEach
  void setUp() {
    project = new TestProject(dir);
  }

  @Test
  void eachKeyFallsBackToItsDefault() throws Exception {
    HealthSpec health = project.loadWith("health: {path: /up, interval: 2}\n").health();

    assertThat(health)
        .isEqualTo(
            new HealthSpec(
                "/up",
                200,
                Optional.empty(),
                Duration.ofSeconds(5),
                Duration.ofSeconds(2),
                2,
                3,
                Duration.ofSeconds(60)));
  }

  @Test
  void emptyContainsMeansNoCheck() throws Exception {
    assertThat(project.loadWith("health: {contains: ''}\n").health().contains()).isEmpty();
    assertThat(project.loadWith("health: {contains: 42}\n").health().contains()).contains("42");
  }

  @Test
  void healthProblems() {
    assertThat(
            project.problems(
                TestProject.MINIMAL
                    + """
                    health:
                      path: healthz
                      expect: 99
                      contains: [ok]
                      timeout: fast
                      interval: 0
                      healthy: 0
                      unhealthy: lots
                    """))
        .extracting(TestProject::where)
        .containsExactly(
            "4:9: health.path: expected a URL path starting with '/', found 'healthz'",
            "5:11: health.expect: expected a number from 100 to 599, found '99'",
            "6:13: health.contains: expected text the page must contain, found a list",
            "7:12: health.timeout: expected a duration like 5s or 500ms, found 'fast'",
            "8:13: health.interval: expected a duration greater than 0, found '0'",
            "9:12: health.healthy: expected a number from 1 to 100, found '0'",
            "10:14: health.unhealthy: expected a number from 1 to 100, found 'lots'");
  }

  @Test
  void pathWithSpacesIsRejected() {
    assertThat(project.problemWith("health: {path: '/a b'}\n").hint())
        .contains("e.g. 'path: /healthz'");
  }

  @Test
  void expectAcceptsTheWholeStatusRange() throws Exception {
    assertThat(project.loadWith("health: {expect: 100}\n").health().expect()).isEqualTo(100);
    assertThat(project.loadWith("health: {expect: '599'}\n").health().expect()).isEqualTo(599);
    assertThat(project.problemWith("health: {expect: 600}\n").message())
        .isEqualTo("expected a number from 100 to 599, found '600'");
  }

  @Test
  void deadlineMustFitOneRequest() {
    SpecProblem p = project.problemWith("health:\n  timeout: 10s\n  deadline: 5s\n");

    assertThat(TestProject.where(p))
        .isEqualTo(
            "5:13: health.deadline: the deadline (5s) is shorter than one request's timeout (10s)");
    assertThat(p.hint()).contains("raise health.deadline or lower health.timeout");
  }

  @Test
  void defaultDeadlineIsCheckedAgainstALongTimeout() {
    assertThat(TestProject.where(project.problemWith("health: {timeout: 2m}\n")))
        .isEqualTo(
            "3:19: health.deadline: the deadline (1m) is shorter than one request's timeout (2m)");
  }
}
