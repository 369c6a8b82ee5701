package dev.hoist.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code cron} section: jobs in both forms, and errors inside a schedule string. */
class SpecCronTest {
  @TempDir Path dir;
  TestProject project;

  @BeforeEach
  void setUp() {
    project = new TestProject(dir);
  }

  @Test
  void readsBothFormsInFileOrder() throws Exception {
    Spec spec =
        project.loadWith(
            """
            cron:
              clearsessions:
                schedule: "*/15 * * * *"
                command: python manage.py clearsessions
                timeout: 10m
              report: "0 3 * * MON-FRI python report.py --all"
              tidy: "@daily ./tidy.sh"
              listed: {schedule: hourly, command: [echo, "a b"]}
            """);

    assertThat(spec.cron().keySet()).containsExactly("clearsessions", "report", "tidy", "listed");
    CronJob clear = spec.cron().get("clearsessions");
    assertThat(clear.schedule().text()).isEqualTo("*/15 * * * *");
    assertThat(clear.command()).containsExactly("python", "manage.py", "clearsessions");
    assertThat(clear.timeout()).isEqualTo(Duration.ofMinutes(10));
    CronJob report = spec.cron().get("report");
    assertThat(report.schedule().text()).isEqualTo("0 3 * * MON-FRI");
    assertThat(report.command()).containsExactly("python", "report.py", "--all");
    assertThat(report.timeout()).isEqualTo(Duration.ofHours(1));
    assertThat(spec.cron().get("tidy").schedule().text()).isEqualTo("@daily");
    assertThat(spec.cron().get("tidy").command()).containsExactly("./tidy.sh");
    assertThat(spec.cron().get("listed").command()).isEqualTo(List.of("echo", "a b"));
  }

  @Test
  void withoutTheSectionThereAreNoJobs() throws Exception {
    assertThat(project.loadWith("").cron()).isEmpty();
  }

  @Test
  void aBadFieldIsPointedAtInsideTheQuotedSchedule() {
    SpecProblem p =
        project.problemWith("cron:\n  job:\n    schedule: \"*/15 25 * * *\"\n    command: x\n");

    // Line 5, the value starts at column 15 (the quote); the hour field is 6 characters in.
    assertThat(TestProject.where(p))
        .isEqualTo("5:21: cron.job.schedule: expected hour 0-23, found '25'");
    assertThat(p.render()).startsWith(dir.resolve("hoist.yml") + ":5:21: ");
  }

  @Test
  void aBadFieldIsPointedAtInsideTheShortForm() {
    SpecProblem p = project.problemWith("cron:\n  job: 0 3 * JANUARY * ./x\n");

    assertThat(TestProject.where(p))
        .isEqualTo("4:14: cron.job: expected month 1-12 or JAN-DEC, found 'JANUARY'");
  }

  @Test
  void aScheduleThatNeverRunsIsRefused() {
    SpecProblem p = project.problemWith("cron:\n  job: {schedule: '0 0 31 2 *', command: x}\n");

    assertThat(p.message()).contains("never runs");
    assertThat(p.line()).isEqualTo(4);
    assertThat(p.column()).isEqualTo(24);
  }

  @Test
  void anUnknownWordIsNamed() {
    SpecProblem p = project.problemWith("cron:\n  job: {schedule: often, command: x}\n");

    assertThat(TestProject.where(p))
        .isEqualTo("4:19: cron.job.schedule: unknown schedule word 'often'");
  }

  @Test
  void aShortFormWithoutCommandIsRefusedWithTheMappingForm() {
    SpecProblem p = project.problemWith("cron:\n  job: \"*/5 * * * *\"\n");

    assertThat(p.message()).contains("expected \"SCHEDULE COMMAND\"");
    assertThat(p.hint()).hasValueSatisfying(h -> assertThat(h).contains("schedule:"));
  }

  @Test
  void badJobNamesAndMissingKeys() {
    List<SpecProblem> problems =
        project.problems(
            TestProject.MINIMAL
                + "cron:\n  Bad_Name: \"@daily x\"\n  nocommand: {schedule: daily}\n"
                + "  slow: {schedule: daily, command: x, timeout: forever}\n"
                + "  extra: {schedule: daily, command: x, user: root}\n");

    assertThat(problems.stream().map(TestProject::where))
        .containsExactly(
            "4:3: cron: expected a job name of lowercase letters, digits and '-' that starts with a"
                + " letter (at most 21), found 'Bad_Name'",
            "5:14: cron.nocommand.command: required key is missing",
            "6:48: cron.slow.timeout: expected a duration like 5s or 500ms, found 'forever'",
            "7:40: cron.extra.user: unknown key");
  }
}
