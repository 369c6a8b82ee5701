package dev.hoist.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code supervisor}, {@code include}, {@code release.hook_timeout}, {@code health.start_period}.
 */
class SpecNodeKeysTest {
  @TempDir Path dir;
  TestProject project;

  @BeforeEach
  void setUp() {
    project = new TestProject(dir);
  }

  @Test
  void defaults() throws Exception {
    Spec spec = project.loadWith("health: {deadline: 30s}\n");

    assertThat(spec.supervisor()).isEqualTo(SupervisorChoice.AUTO);
    assertThat(spec.include()).isEmpty();
    assertThat(spec.release().hookTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(spec.health().startPeriod()).isEqualTo(Duration.ofSeconds(30));
    assertThat(HealthSpec.defaults().startPeriod()).isEqualTo(HealthSpec.defaults().deadline());
  }

  @Test
  void readsEachKey() throws Exception {
    Spec spec =
        project.loadWith(
            """
            supervisor: systemd
            include: [static/dist/**, './locale/*.mo']
            release: {hook_timeout: 90s}
            health: {start_period: 20s}
            """);

    assertThat(spec.supervisor()).isEqualTo(SupervisorChoice.SYSTEMD);
    assertThat(spec.include()).containsExactly("static/dist/**", "locale/*.mo");
    assertThat(spec.release().hookTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(spec.health().startPeriod()).isEqualTo(Duration.ofSeconds(20));
    assertThat(project.loadWith("supervisor: runit\n").supervisor())
        .isEqualTo(SupervisorChoice.RUNIT);
  }

  @Test
  void problemsNameLineColumnAndKey() {
    assertThat(
            project.problems(
                TestProject.MINIMAL
                    + """
                    supervisor: upstart
                    include: [/etc/passwd, ../x, 'a[b', ok, ok]
                    release: {hook_timeout: forever}
                    health: {start_period: 0}
                    """))
        .extracting(TestProject::where)
        .containsExactly(
            "3:13: supervisor: expected auto, systemd or runit, found 'upstart'",
            "4:11: include: expected a path relative to the project, found '/etc/passwd'",
            "4:24: include: expected a path that stays inside the project, found '../x'",
            "4:30: include: expected a file pattern with matching '[' and ']', found 'a[b'",
            "4:41: include: 'ok' is listed twice",
            "5:25: release.hook_timeout: expected a duration like 5s or 500ms, found 'forever'",
            "6:24: health.start_period: expected a duration greater than 0, found '0'");
  }

  @Test
  void startPeriodCannotOutlastTheDeadline() {
    SpecProblem p = project.problemWith("health: {deadline: 30s, start_period: 1m}\n");

    assertThat(TestProject.where(p))
        .isEqualTo(
            "3:39: health.start_period: the start period (1m) is longer than the deadline (30s),"
                + " which ends every check");
    assertThat(p.hint()).contains("raise health.deadline or lower health.start_period");
  }

  @Test
  void typosGetADidYouMean() {
    assertThat(project.problemWith("supervisr: runit\n").hint().orElseThrow())
        .contains("'supervisor'");
    assertThat(project.problemWith("includes: [a]\n").hint().orElseThrow()).contains("'include'");
    assertThat(project.problemWith("release: {hook_timout: 1m}\n").hint().orElseThrow())
        .contains("'hook_timeout'");
    assertThat(project.problemWith("health: {start_perod: 1m}\n").hint().orElseThrow())
        .contains("'start_period'");
  }
}
