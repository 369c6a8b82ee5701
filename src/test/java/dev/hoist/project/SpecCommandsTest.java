package dev.hoist.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code processes} and {@code release}: the keys that hold commands. */
class SpecCommandsTest {
  @TempDir Path dir;
  TestProject project;

  @BeforeEach
  void setUp() {
    project = new TestProject(dir);
  }

  @Test
  void processCommandStringIsSplitLikeSh() throws Exception {
    ProcessSpec worker =
        project
            .loadWith("processes:\n  worker: celery -A proj worker --queues \"a,b\" -n 'w@%h'\n")
            .processes()
            .get("worker");

    assertThat(worker.command())
        .containsExactly("celery", "-A", "proj", "worker", "--queues", "a,b", "-n", "w@%h");
    assertThat(worker.stopTimeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void processCommandListIsTakenWordForWord() throws Exception {
    assertThat(
            project
                .loadWith("processes:\n  beat: [sh, -c, 'exec celery beat', 5]\n")
                .processes()
                .get("beat")
                .command())
        .containsExactly("sh", "-c", "exec celery beat", "5");
  }

  @Test
  void processMappingMayGiveAStopTimeout() throws Exception {
    ProcessSpec p =
        project
            .loadWith("processes:\n  mail: {command: [python, mail.py], stop_timeout: 1m}\n")
            .processes()
            .get("mail");

    assertThat(p)
        .isEqualTo(new ProcessSpec("mail", List.of("python", "mail.py"), Duration.ofMinutes(1)));
  }

  @Test
  void unclosedQuoteIsReportedAtTheCommand() {
    SpecProblem p = project.problemWith("processes:\n  worker: celery -A 'proj worker\n");

    assertThat(TestProject.where(p))
        .isEqualTo("4:11: processes.worker: unclosed single quote (') that opens at character 11");
  }

  @Test
  void processProblems() {
    assertThat(
            project.problems(
                TestProject.MINIMAL
                    + """
                    processes:
                      Worker: celery
                      empty: ''
                      none: []
                      nested: [celery, [a]]
                      map: {stop_timeout: 5s}
                      slow: {command: x, stop_timeout: soon, stop: 1}
                      number: 5.5
                    """))
        .extracting(TestProject::where)
        .containsExactly(
            "4:3: processes: expected a process name of lowercase letters, digits and '-' that"
                + " starts with a letter (at most 21), found 'Worker'",
            "5:10: processes.empty: the command is empty",
            "6:9: processes.none: the command is empty",
            "7:20: processes.nested: expected a word of the command, found a list",
            "8:8: processes.map.command: required key is missing",
            "9:36: processes.slow.stop_timeout: expected a duration like 5s or 500ms, found 'soon'",
            "9:42: processes.slow.stop: unknown key");
  }

  @Test
  void aNumberIsACommandWordLikeAnyOther() throws Exception {
    assertThat(project.loadWith("processes: {sleeper: 5.5}\n").processes().get("sleeper").command())
        .containsExactly("5.5");
  }

  @Test
  void processesMustBeAMapping() {
    assertThat(project.problemWith("processes: [celery]\n").message())
        .isEqualTo("expected a mapping of process names to commands, found a list");
  }

  @Test
  void releaseKeepsAndHooks() throws Exception {
    ReleaseSpec release =
        project
            .loadWith(
                """
                release:
                  keep: 1
                  before_activate:
                    - python manage.py migrate --noinput
                    - [python, manage.py, collectstatic, --noinput]
                """)
            .release();

    assertThat(release)
        .isEqualTo(
            new ReleaseSpec(
                1,
                List.of(
                    List.of("python", "manage.py", "migrate", "--noinput"),
                    List.of("python", "manage.py", "collectstatic", "--noinput"))));
  }

  @Test
  void releaseDefaultsPerKey() throws Exception {
    assertThat(project.loadWith("release: {keep: 10}\n").release())
        .isEqualTo(new ReleaseSpec(10, List.of()));
    assertThat(project.loadWith("release: {before_activate: [true]}\n").release())
        .isEqualTo(new ReleaseSpec(5, List.of(List.of("true"))));
  }

  @Test
  void releaseProblems() {
    assertThat(
            project.problems(
                TestProject.MINIMAL
                    + "release:\n  keep: 0\n  before_activate: [\"a 'b\", '', {x: 1}]\n"))
        .extracting(TestProject::where)
        .containsExactly(
            "4:9: release.keep: expected a number from 1 to 100, found '0'",
            "5:21: release.before_activate: unclosed single quote (') that opens at character 3",
            "5:29: release.before_activate: the command is empty",
            "5:33: release.before_activate: expected a command (a string or a list of words), found"
                + " a mapping");
  }

  @Test
  void releaseKeepHasAnUpperBound() {
    assertThat(project.problemWith("release: {keep: 101}\n").message())
        .isEqualTo("expected a number from 1 to 100, found '101'");
  }

  @Test
  void beforeActivateMustBeAList() {
    SpecProblem p = project.problemWith("release:\n  before_activate: python manage.py migrate\n");

    assertThat(TestProject.where(p))
        .isEqualTo(
            "4:20: release.before_activate: expected a list of commands, found 'python manage.py"
                + " migrate'");
    assertThat(p.hint()).contains("write it as a list, e.g. [a, b] or one '- item' per line");
  }
}
