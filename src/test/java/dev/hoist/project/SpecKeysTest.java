package dev.hoist.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which keys hoist.yml may have: required, unknown, reserved for later, duplicated; and that all
 * problems are found.
 */
class SpecKeysTest {
  @TempDir Path dir;
  TestProject project;

  @BeforeEach
  void setUp() {
    project = new TestProject(dir);
  }

  @Test
  void missingWsgiPointsAtTheDocumentStart() {
    List<SpecProblem> problems = project.problems("app: hello\n");

    assertThat(problems)
        .extracting(TestProject::where)
        .containsExactly("1:1: wsgi: required key is missing");
    assertThat(problems.getFirst().hint()).contains("add e.g. 'wsgi: myapp:application'");
  }

  @Test
  void missingAppSuggestsOne() {
    List<SpecProblem> problems = project.problems("wsgi: hello:application\n");

    assertThat(problems)
        .extracting(TestProject::where)
        .containsExactly("1:1: app: required key is missing");
    assertThat(problems.getFirst().hint()).contains("add e.g. 'app: hello'");
  }

  @Test
  void requiredKeyWithoutValuePointsAtTheEmptyValue() {
    assertThat(project.problems("app:\nwsgi: hello:application\n"))
        .extracting(TestProject::where)
        .containsExactly("1:5: app: required key has no value");
  }

  @Test
  void emptyOptionalValueMeansTheDefault() throws Exception {
    Spec spec = project.loadWith("workers:\naliases: ~\nprocesses: null\nhealth:\n");

    assertThat(spec.workers()).isEqualTo(Workers.auto());
    assertThat(spec.aliases()).isEmpty();
    assertThat(spec.processes()).isEmpty();
    assertThat(spec.health()).isEqualTo(HealthSpec.defaults());
  }

  @Test
  void unknownKeySuggestsTheClosest() {
    SpecProblem p = project.problemWith("wrokers: 2\n");

    assertThat(TestProject.where(p)).isEqualTo("3:1: wrokers: unknown key");
    assertThat(p.hint()).contains("did you mean 'workers'?");
  }

  @Test
  void unknownKeySuggestsByPrefix() {
    assertThat(project.problemWith("requirements_file: x\n").hint())
        .contains("did you mean 'requirements'?");
  }

  @Test
  void unknownKeyWithNothingCloseListsTheValidKeys() {
    assertThat(project.problemWith("banana: yes\n").hint())
        .contains(
            "valid keys here are: app, wsgi, requirements, wheelhouse, workers, domain, aliases,"
                + " static, env, shared, packages, processes, templates, release, health, rollout, tls, supervisor,"
                + " include, services, cron, backup, build, nodes,"
                + " environments");
  }

  @Test
  void unknownNestedKeyHasItsDottedPath() {
    SpecProblem p = project.problemWith("health:\n  timout: 5s\n");

    assertThat(TestProject.where(p)).isEqualTo("4:3: health.timout: unknown key");
    assertThat(p.hint()).contains("did you mean 'timeout'?");
    assertThat(p.render())
        .isEqualTo(
            dir.resolve("hoist.yml")
                + ":4:3: health.timout: unknown key\n    did you mean 'timeout'?");
  }

  @Test
  void unknownNestedKeysListTheValidOnes() {
    assertThat(project.problemWith("release: {nodes: 1}\n").hint())
        .contains("valid keys here are: keep, before_activate, run_once, hook_timeout");
  }

  @Test
  void duplicateKeyNamesTheFirstOne() {
    List<SpecProblem> problems =
        project.problems("app: hello\nwsgi: hello:application\napp: other\n");

    assertThat(problems)
        .extracting(TestProject::where)
        .containsExactly("3:1: app: duplicate key; it is already set on line 1");
    assertThat(problems.getFirst().hint()).contains("remove one of them");
  }

  @Test
  void duplicateKeysAreFoundAtEveryLevel() {
    assertThat(
            project.problems(
                TestProject.MINIMAL + "health: {path: /, path: /x}\nenv:\n  A: 1\n  A: 2\n"))
        .extracting(TestProject::where)
        .containsExactly(
            "3:19: health.path: duplicate key; it is already set on line 3",
            "6:3: env.A: duplicate key; it is already set on line 5");
  }

  @Test
  void nonScalarKeyIsAProblem() {
    assertThat(project.problems(TestProject.MINIMAL + "? [a, b]\n: c\n"))
        .extracting(SpecProblem::message)
        .containsExactly("expected a plain key, found a list");
  }

  @Test
  void reportsEveryProblemAtOnce() {
    List<SpecProblem> problems =
        project.problems(
            """
            app: Hello
            wsgi: hello
            workers: many
            colour: blue
            health:
              expect: 700
              timeout: 0s
            """);

    assertThat(problems)
        .extracting(p -> p.line() + ":" + p.key())
        .containsExactly(
            "1:app", "2:wsgi", "3:workers", "4:colour", "6:health.expect", "7:health.timeout");
  }

  @Test
  void sectionsMustBeMappings() {
    assertThat(project.problems(TestProject.MINIMAL + "health: /\nrelease: [1]\n"))
        .extracting(TestProject::where)
        .containsExactly(
            "3:9: health: expected a mapping with keys such as path, found '/'",
            "4:10: release: expected a mapping with keys such as keep, found a list");
  }
}
