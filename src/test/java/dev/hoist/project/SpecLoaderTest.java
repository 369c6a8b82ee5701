package dev.hoist.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Finding and parsing the file, defaults, and a full example; the keys' own rules are in the other
 * Spec*Test.
 */
class SpecLoaderTest {
  @TempDir Path dir;
  TestProject project;

  @BeforeEach
  void setUp() {
    project = new TestProject(dir);
  }

  @Test
  void minimalSpecGetsEveryDefault() throws Exception {
    Spec spec = project.load(TestProject.MINIMAL);

    assertThat(spec.projectDir()).isEqualTo(dir);
    assertThat(spec.file()).isEqualTo(dir.resolve("hoist.yml"));
    assertThat(spec.app()).isEqualTo("hello");
    assertThat(spec.wsgi()).isEqualTo(new WsgiEntry("hello", "application", false));
    assertThat(spec.requirements()).isEmpty();
    assertThat(spec.wheelhouse()).isEmpty();
    assertThat(spec.workers()).isEqualTo(Workers.auto());
    assertThat(spec.domain()).isEqualTo("hello.localhost");
    assertThat(spec.aliases()).isEmpty();
    assertThat(spec.statics()).isEmpty();
    assertThat(spec.env()).isEmpty();
    assertThat(spec.shared()).isEmpty();
    assertThat(spec.packages()).isEmpty();
    assertThat(spec.processes()).isEmpty();
    assertThat(spec.templates()).isEmpty();
    assertThat(spec.release()).isEqualTo(new ReleaseSpec(5, List.of()));
    assertThat(spec.health())
        .isEqualTo(
            new HealthSpec(
                "/",
                200,
                Optional.empty(),
                Duration.ofSeconds(5),
                Duration.ofMillis(500),
                2,
                3,
                Duration.ofSeconds(60)));
  }

  @Test
  void readsEveryKeyOfTheFullExample() throws Exception {
    project.file("requirements.txt", "flask\n").directory("wheels").directory("static");
    project.file("deploy/local_settings.py.j2", "DEBUG = False\n");

    Spec spec =
        project.load(
            """
            app: hello
            wsgi: hello:application
            requirements: requirements.txt
            wheelhouse: wheels/
            workers: 4
            domain: hello.test
            aliases: [www.hello.test]
            static: {/static/: static/}
            env: {KEY: value, PORT: 8000, DEBUG: false, RATIO: 1.50}
            shared: [instance, media]
            packages: [libpq-dev, "curl=7.88.1-10+deb12u5"]
            processes:
              worker: celery -A proj worker
              beat: [celery, -A, proj, beat]
              mail: {command: "python mail.py --queue 'a b'", stop_timeout: 30s}
            templates: {local_settings.py: deploy/local_settings.py.j2}
            release:
              keep: 3
              before_activate: [python manage.py migrate --noinput, [python, manage.py, check]]
            health:
              path: /healthz
              expect: 204
              contains: "ok"
              timeout: 2s
              interval: 1s
              healthy: 4
              unhealthy: 5
              deadline: 2m
            """);

    assertThat(spec.requirements()).contains("requirements.txt");
    assertThat(spec.wheelhouse()).contains("wheels");
    assertThat(spec.workers()).isEqualTo(new Workers(OptionalInt.of(4)));
    assertThat(spec.domain()).isEqualTo("hello.test");
    assertThat(spec.aliases()).containsExactly("www.hello.test");
    assertThat(spec.statics()).containsExactly(Map.entry("/static", "static"));
    assertThat(spec.env())
        .containsExactly(
            Map.entry("KEY", "value"),
            Map.entry("PORT", "8000"),
            Map.entry("DEBUG", "false"),
            Map.entry("RATIO", "1.50"));
    assertThat(spec.shared()).containsExactly("instance", "media");
    assertThat(spec.packages())
        .containsExactly(
            new PackageRef("libpq-dev", Optional.empty()),
            new PackageRef("curl", Optional.of("7.88.1-10+deb12u5")));
    assertThat(spec.processes())
        .containsExactly(
            Map.entry(
                "worker",
                new ProcessSpec(
                    "worker", List.of("celery", "-A", "proj", "worker"), Duration.ofSeconds(10))),
            Map.entry(
                "beat",
                new ProcessSpec(
                    "beat", List.of("celery", "-A", "proj", "beat"), Duration.ofSeconds(10))),
            Map.entry(
                "mail",
                new ProcessSpec(
                    "mail",
                    List.of("python", "mail.py", "--queue", "a b"),
                    Duration.ofSeconds(30))));
    assertThat(spec.templates())
        .containsExactly(Map.entry("local_settings.py", "deploy/local_settings.py.j2"));
    assertThat(spec.release())
        .isEqualTo(
            new ReleaseSpec(
                3,
                List.of(
                    List.of("python", "manage.py", "migrate", "--noinput"),
                    List.of("python", "manage.py", "check"))));
    assertThat(spec.health())
        .isEqualTo(
            new HealthSpec(
                "/healthz",
                204,
                Optional.of("ok"),
                Duration.ofSeconds(2),
                Duration.ofSeconds(1),
                4,
                5,
                Duration.ofMinutes(2)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"hello", "flask", "django"})
  void theShippedExamplesLoad(String name) throws Exception {
    Path example = Path.of("examples", name);
    assumeTrue(Files.isRegularFile(example.resolve("hoist.yml")), "example not present");

    assertThat(SpecLoader.load(example).app()).isNotBlank();
  }

  @Test
  void mapsKeepTheOrderOfTheFile() throws Exception {
    Spec spec = project.loadWith("env: {Z: 1, A: 2, M: 3}\n");

    assertThat(spec.env().keySet()).containsExactly("Z", "A", "M");
  }

  @Test
  void acceptsThePathOfTheFileItself() throws Exception {
    project.file("custom.yml", TestProject.MINIMAL);

    Spec spec = SpecLoader.load(dir.resolve("custom.yml"));

    assertThat(spec.projectDir()).isEqualTo(dir);
    assertThat(spec.file()).isEqualTo(dir.resolve("custom.yml"));
  }

  @Test
  void problemsNameTheFileAsGiven() throws Exception {
    Path relative = Files.createTempDirectory(Path.of("target"), "spec-loader-");
    try {
      Files.writeString(relative.resolve("hoist.yml"), "app: hello\n");

      SpecException e = catchThrowableOfType(SpecException.class, () -> SpecLoader.load(relative));

      assertThat(e.problems().getFirst().file()).isEqualTo(relative + "/hoist.yml");
      assertThat(e.getMessage())
          .startsWith(relative + "/hoist.yml:1:1: wsgi: required key is missing");
    } finally {
      Files.delete(relative.resolve("hoist.yml"));
      Files.delete(relative);
    }
  }

  @Test
  void missingFileSaysHowToCreateOne() {
    SpecException e = catchThrowableOfType(SpecException.class, () -> SpecLoader.load(dir));

    SpecProblem p = e.problems().getFirst();
    assertThat(p.message()).isEqualTo("no hoist.yml in " + dir);
    assertThat(p.hint()).contains("run 'hoist init " + dir + "' to create one");
    assertThat(p.file()).isEqualTo(dir.resolve("hoist.yml").toString());
    assertThat(p.line()).isZero();
  }

  @Test
  void missingProjectDirectoryIsAMissingFileToo() {
    Path nowhere = dir.resolve("nope");

    SpecException e = catchThrowableOfType(SpecException.class, () -> SpecLoader.load(nowhere));

    assertThat(e.problems().getFirst().message()).isEqualTo("no hoist.yml in " + nowhere);
    assertThat(e.problems().getFirst().hint())
        .contains("run 'hoist init " + nowhere + "' to create one");
  }

  @Test
  void missingHoistYmlNextToAHoistYamlSaysToRenameIt() {
    project.file("hoist.yaml", TestProject.MINIMAL);

    SpecException e = catchThrowableOfType(SpecException.class, () -> SpecLoader.load(dir));

    assertThat(e.problems().getFirst().hint()).contains("found hoist.yaml; rename it to hoist.yml");
  }

  @Test
  void hintQuotesADirectoryThatShWouldSplit() {
    Path spaced = dir.resolve("my app");

    SpecException e = catchThrowableOfType(SpecException.class, () -> SpecLoader.load(spaced));

    assertThat(e.problems().getFirst().hint())
        .contains("run 'hoist init '" + spaced + "'' to create one");
  }

  @Test
  void emptyFileIsOneProblem() {
    assertThat(project.problems(""))
        .extracting(SpecProblem::message)
        .containsExactly("hoist.yml is empty");
    assertThat(project.problems("# just a comment\n\n"))
        .extracting(SpecProblem::message)
        .containsExactly("hoist.yml is empty");
    assertThat(project.problems("---\n"))
        .extracting(SpecProblem::message)
        .containsExactly("hoist.yml is empty");
  }

  @Test
  void topLevelMustBeAMapping() {
    List<SpecProblem> problems = project.problems("- app: hello\n");

    assertThat(problems)
        .extracting(TestProject::where)
        .containsExactly("1:1: : expected a mapping of keys like 'app: hello', found a list");
    assertThat(problems.getFirst().hint()).isPresent();
    assertThat(project.problems("hello\n"))
        .extracting(SpecProblem::message)
        .containsExactly("expected a mapping of keys like 'app: hello', found 'hello'");
  }

  @Test
  void syntaxErrorPointsAtTheProblem() {
    List<SpecProblem> problems = project.problems("app: hello\nwsgi: a\n  b: c\n");

    assertThat(problems)
        .extracting(TestProject::where)
        .containsExactly("3:4: : invalid YAML: mapping values are not allowed here");
    assertThat(problems.getFirst().hint())
        .contains("check the indentation, or quote a value that contains ': '");
  }

  @Test
  void syntaxErrorNamesWhatWasOpen() {
    SpecProblem p = project.problems("app: hello\naliases: [a.test\n").getFirst();

    assertThat(p.line()).isEqualTo(3);
    assertThat(p.message())
        .contains("expected ',' or ']'")
        .contains("while parsing a flow sequence at 2:10");
  }

  @Test
  void tabsGetTheirOwnHint() {
    SpecProblem p = project.problems("app: hello\nhealth:\n\tpath: /\n").getFirst();

    assertThat(p.line()).isEqualTo(3);
    assertThat(p.hint()).contains("indent with spaces, not tabs");
  }

  @Test
  void secondDocumentIsRejected() {
    SpecProblem p = project.problems(TestProject.MINIMAL + "---\napp: other\n").getFirst();

    assertThat(p.line()).isEqualTo(3);
    assertThat(p.hint()).contains("keep one document per file: remove the second '---'");
  }

  @Test
  void undefinedAliasIsASyntaxError() {
    assertThat(project.problems("app: *nope\n"))
        .extracting(TestProject::where)
        .containsExactly("1:6: : invalid YAML: found undefined alias nope");
  }

  @Test
  void controlCharactersArePointedAt() {
    assertThat(project.problems("app: hello\nwsgi: a\u0001b\n"))
        .extracting(TestProject::where)
        .containsExactly("2:8: : invalid YAML: character U+0001 is not allowed");
  }

  @Test
  void notUtf8IsOneProblem() throws Exception {
    Files.write(dir.resolve("hoist.yml"), new byte[] {'a', ':', ' ', (byte) 0xff, '\n'});

    SpecException e = catchThrowableOfType(SpecException.class, () -> SpecLoader.load(dir));

    assertThat(e.problems())
        .extracting(SpecProblem::message)
        .containsExactly("the file is not UTF-8 text");
  }

  @Test
  void byteOrderMarkIsIgnored() throws Exception {
    assertThat(project.load("\uFEFF" + TestProject.MINIMAL).app()).isEqualTo("hello");
  }

  @Test
  void environmentVariablesAreNotSubstituted() throws Exception {
    assertThat(project.loadWith("env:\n  HOME_DIR: ${HOME}\n").env())
        .containsEntry("HOME_DIR", "${HOME}");
  }

  @Test
  void anchorsAndAliasesWork() throws Exception {
    Spec spec = project.loadWith("domain: &d hello.test\nhealth: {contains: *d}\n");

    assertThat(spec.health().contains()).contains("hello.test");
  }

  @Test
  void recursiveAliasIsAProblemNotAHang() {
    assertThat(project.problems(TestProject.MINIMAL + "shared: &s [*s]\n"))
        .extracting(TestProject::where)
        .containsExactly("3:9: shared: expected a directory name, found a list");
  }

  @Test
  void renderedProblemHasFileLineColumnKeyAndHint() {
    String yml =
        """
        app: hello
        wsgi: hello:application
        health:
          path: /
          expect: 200
          contains: ok
          timeout: fast
        """;

    SpecException e = catchThrowableOfType(SpecException.class, () -> project.load(yml));

    assertThat(e.getMessage())
        .isEqualTo(
            dir.resolve("hoist.yml")
                + ":7:12: health.timeout: expected a duration like 5s or 500ms, found 'fast'"
                + "\n    write a number followed by ms, s, m or h, e.g. 5s");
  }
}
