package dev.hoist.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The rules for each top-level value, other than commands and health. */
class SpecValuesTest {
  @TempDir Path dir;
  TestProject project;

  @BeforeEach
  void setUp() {
    project = new TestProject(dir);
  }

  private SpecProblem problem(String yml) {
    var problems = project.problems(yml);
    assertThat(problems).hasSize(1);
    return problems.getFirst();
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "hello", "my-app2", "abcdefghijklmnopqrstuvwxyz01234"})
  void acceptsAppNames(String name) throws Exception {
    assertThat(project.load("app: " + name + "\nwsgi: hello:application\n").app()).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"Hello", "2app", "my_app", "-app", "abcdefghijklmnopqrstuvwxyz012345", "'my app'"})
  void rejectsAppNamesThatCannotBeUnixUsers(String name) {
    SpecProblem p = problem("app: " + name + "\nwsgi: hello:application\n");

    assertThat(p.key()).isEqualTo("app");
    assertThat(p.line()).isEqualTo(1);
    assertThat(p.column()).isEqualTo(6);
    assertThat(p.message())
        .startsWith(
            "expected a name of lowercase letters, digits and '-' that starts with a letter");
  }

  @Test
  void appHintProposesAUsableName() {
    assertThat(problem("app: My_App\nwsgi: hello:application\n").hint())
        .contains("it becomes a Unix user name and part of paths; write e.g. 'app: my-app'");
  }

  @Test
  void appCannotBeASystemUser() {
    SpecProblem p = problem("app: root\nwsgi: hello:application\n");

    assertThat(p.message()).isEqualTo("'root' is a system user name");
  }

  @Test
  void readsWsgiForms() throws Exception {
    assertThat(project.load("app: a\nwsgi: mysite.wsgi:application\n").wsgi())
        .isEqualTo(new WsgiEntry("mysite.wsgi", "application", false));
    assertThat(project.load("app: a\nwsgi: flaskr:create_app()\n").wsgi())
        .isEqualTo(new WsgiEntry("flaskr", "create_app", true));
    assertThat(project.load("app: a\nwsgi: _x.Y2:_z\n").wsgi().gunicornForm())
        .isEqualTo("_x.Y2:_z");
  }

  @Test
  void wsgiWithoutCallableSaysWhatToAdd() {
    SpecProblem p = problem("app: a\nwsgi: hello\n");

    assertThat(TestProject.where(p))
        .isEqualTo("2:7: wsgi: expected module:callable like hello:application, found 'hello'");
    assertThat(p.hint()).contains("add the name of the WSGI callable, e.g. 'hello:application'");
  }

  @Test
  void wsgiHintsForCommonMistakes() {
    assertThat(problem("app: a\nwsgi: mysite/wsgi.py:application\n").hint())
        .get()
        .asString()
        .contains("with dots");
    assertThat(problem("app: a\nwsgi: 'hello:create_app(\"x\")'\n").hint())
        .get()
        .asString()
        .contains("without arguments");
    assertThat(problem("app: a\nwsgi: 1hello:app\n").hint())
        .get()
        .asString()
        .contains("Python identifiers");
  }

  @Test
  void requirementsMustBeAFileInTheProject() throws Exception {
    project.file("req/prod.txt", "flask\n");

    assertThat(project.loadWith("requirements: ./req//prod.txt\n").requirements())
        .contains("req/prod.txt");
    assertThat(TestProject.where(project.problemWith("requirements: nope.txt\n")))
        .isEqualTo("3:15: requirements: 'nope.txt' does not exist in the project");
    assertThat(project.problemWith("requirements: req\n").message())
        .isEqualTo("'req' is a directory, expected a file");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/etc/passwd", "../outside.txt", "req/../../x", "~/r.txt", ".", "./"})
  void pathsCannotLeaveTheProject(String path) {
    SpecProblem p = project.problemWith("requirements: '" + path + "'\n");

    assertThat(p.key()).isEqualTo("requirements");
    assertThat(p.message()).startsWith("expected a path");
  }

  @Test
  void pathsCannotLeaveTheProjectThroughASymlink() throws Exception {
    Path outside = Files.createTempFile("outside", ".txt");
    try {
      Files.createSymbolicLink(dir.resolve("req.txt"), outside);

      assertThat(project.problemWith("requirements: req.txt\n").message())
          .isEqualTo("'req.txt' leads outside the project through a symlink");
    } finally {
      Files.delete(outside);
    }
  }

  @Test
  void wheelhouseIsADirectoryAndNeedsRequirements() throws Exception {
    project.file("requirements.txt", "").file("notes.txt", "").directory("wheels");

    assertThat(
            project.loadWith("requirements: requirements.txt\nwheelhouse: wheels/\n").wheelhouse())
        .contains("wheels");
    assertThat(
            project
                .problemWith("requirements: requirements.txt\nwheelhouse: notes.txt\n")
                .message())
        .isEqualTo("'notes.txt' is a file, expected a directory");
    SpecProblem p = project.problemWith("wheelhouse: wheels\n");
    assertThat(TestProject.where(p))
        .isEqualTo(
            "3:13: wheelhouse: a wheelhouse is only used to install requirements, and there is no"
                + " requirements file");
    assertThat(p.hint()).contains("add 'requirements: requirements.txt', or remove wheelhouse");
  }

  @Test
  void workersAreAutoOrAFixedCount() throws Exception {
    assertThat(project.loadWith("workers: auto\n").workers()).isEqualTo(Workers.auto());
    assertThat(project.loadWith("workers: 1\n").workers())
        .isEqualTo(new Workers(OptionalInt.of(1)));
    assertThat(project.loadWith("workers: 64\n").workers())
        .isEqualTo(new Workers(OptionalInt.of(64)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "65", "many", "2.5", "-1", "99999999999"})
  void rejectsOtherWorkerCounts(String value) {
    assertThat(TestProject.where(project.problemWith("workers: " + value + "\n")))
        .isEqualTo(
            "3:10: workers: expected 'auto' or a number from 1 to 64, found '" + value + "'");
  }

  @Test
  void domainIsAHostnameOrAnyHost() throws Exception {
    assertThat(project.loadWith("domain: a-b.example.com\n").domain()).isEqualTo("a-b.example.com");
    assertThat(project.loadWith("domain: _\n").domain()).isEqualTo("_");
  }

  @Test
  void domainInUppercaseSuggestsLowercase() {
    SpecProblem p = project.problemWith("domain: Hello.Test\n");

    assertThat(TestProject.where(p))
        .isEqualTo("3:9: domain: expected a hostname like hello.example.com, found 'Hello.Test'");
    assertThat(p.hint()).contains("write it in lowercase: 'hello.test'");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://hello.test",
        "hello.test:8000",
        "-x.test",
        "x-.test",
        "a..b",
        "hello.test.",
        "a b"
      })
  void rejectsWhatIsNotAHostname(String value) {
    assertThat(project.problemWith("domain: '" + value + "'\n").message())
        .startsWith("expected a hostname");
  }

  @Test
  void aliasesAreDistinctHostnamesOtherThanTheDomain() throws Exception {
    assertThat(project.loadWith("domain: a.test\naliases: [www.a.test, b.test]\n").aliases())
        .containsExactly("www.a.test", "b.test");
    assertThat(
            project.problems(
                TestProject.MINIMAL + "domain: a.test\naliases: [b.test, a.test, b.test, _]\n"))
        .extracting(TestProject::where)
        .containsExactly(
            "4:10: aliases: 'a.test' is already the domain",
            "4:27: aliases: 'b.test' is listed twice",
            "4:35: aliases: '_' (any host) can only be the domain");
  }

  @Test
  void aliasesOfTheDefaultDomainAreCheckedToo() {
    assertThat(project.problemWith("aliases: [hello.localhost]\n").message())
        .isEqualTo("'hello.localhost' is already the domain");
  }

  @Test
  void aliasesMustBeAList() {
    SpecProblem p = project.problemWith("aliases: www.hello.test\n");

    assertThat(TestProject.where(p))
        .isEqualTo("3:10: aliases: expected a list, found 'www.hello.test'");
    assertThat(p.hint()).contains("write it as a list, e.g. [a, b] or one '- item' per line");
  }

  @Test
  void staticPrefixesAndDirectoriesAreNormalised() throws Exception {
    project.directory("static").directory("media/public");

    Spec spec = project.loadWith("static:\n  /static/: ./static/\n  /media: media/public\n");

    assertThat(spec.statics())
        .containsExactly(Map.entry("/static", "static"), Map.entry("/media", "media/public"));
  }

  @Test
  void staticProblems() {
    project.directory("static");

    assertThat(
            project.problems(
                TestProject.MINIMAL
                    + "static:\n"
                    + "  static: static\n"
                    + "  /: static\n"
                    + "  /a b: static\n"
                    + "  /x: nope\n"
                    + "  /s: static\n"
                    + "  /s/: static\n"))
        .extracting(TestProject::where)
        .containsExactly(
            "4:3: static.static: expected a URL prefix like /static, found 'static'",
            "5:3: static./: '/' would serve every URL from files and hide the app",
            "6:3: static./a b: expected a URL prefix like /static, found '/a b'",
            "7:7: static./x: 'nope' does not exist in the project",
            "9:3: static./s/: '/s' is given twice");
  }

  @Test
  void staticPrefixHintSaysToAddTheSlash() {
    project.directory("static");

    assertThat(project.problemWith("static: {static: static}\n").hint())
        .contains("start it with '/': '/static'");
  }

  @Test
  void missingStaticDirectoryMayComeFromReleaseHooks() throws Exception {
    Spec spec =
        project.loadWith(
            """
            static: {/static: collected}
            release: {before_activate: [python manage.py collectstatic]}
            """);

    assertThat(spec.statics()).containsExactly(Map.entry("/static", "collected"));
  }

  @Test
  void missingStaticDirectoryWithoutHooksSaysHowToGetOne() {
    SpecProblem p = project.problemWith("static: {/static: collected}\n");

    assertThat(TestProject.where(p))
        .isEqualTo("3:19: static./static: 'collected' does not exist in the project");
    assertThat(p.hint())
        .contains(
            "create it, fix the path, or generate it in release.before_activate (e.g."
                + " collectstatic)");
  }

  @Test
  void staticDirectoryThatExistsMustBeADirectoryEvenWithHooks() {
    project.file("static", "not a directory");

    assertThat(
            project
                .problemWith("static: {/s: static}\nrelease: {before_activate: [x]}\n")
                .message())
        .isEqualTo("'static' is a file, expected a directory");
  }

  @Test
  void staticCannotServeTheWholeProject() {
    assertThat(project.problemWith("static: {/s: .}\n").message())
        .isEqualTo("expected a path to something inside the project, found '.'");
  }

  @Test
  void envValuesAreTakenAsWritten() throws Exception {
    Spec spec =
        project.loadWith(
            """
            env:
              A: 010
              B: yes
              C: 1e3
              D: ''
              E: 'quoted # not a comment'
              F: 0x1F
            """);

    assertThat(spec.env())
        .containsExactly(
            Map.entry("A", "010"),
            Map.entry("B", "yes"),
            Map.entry("C", "1e3"),
            Map.entry("D", ""),
            Map.entry("E", "quoted # not a comment"),
            Map.entry("F", "0x1F"));
  }

  @Test
  void envProblems() {
    assertThat(
            project.problems(
                TestProject.MINIMAL
                    + "env:\n  A:\n  B: [1]\n  1X: a\n  HOIST_APP: x\n  lower_ok: x\n"))
        .extracting(TestProject::where)
        .containsExactly(
            "4:5: env.A: expected a value, found nothing",
            "5:6: env.B: expected a string, number or boolean, found a list",
            "6:3: env.1X: expected a variable name of letters, digits and '_' not starting with a"
                + " digit, found '1X'",
            "7:3: env.HOIST_APP: names starting with HOIST_ are reserved for hoist");
  }

  @Test
  void envNullHintSaysHowToWriteEmpty() {
    assertThat(project.problemWith("env: {A: null}\n").hint())
        .contains("write KEY: \"\" for an empty value");
  }

  @Test
  void sharedDirectoriesAreRelativeAndDistinct() throws Exception {
    assertThat(project.loadWith("shared: [instance, media/uploads/, ./logs]\n").shared())
        .containsExactly("instance", "media/uploads", "logs");
    assertThat(
            project.problems(
                TestProject.MINIMAL
                    + "shared: [/srv/data, ../up, media, media/, .venv, .venv/lib]\n"))
        .extracting(SpecProblem::message)
        .containsExactly(
            "expected a path relative to the project, found '/srv/data'",
            "expected a path that stays inside the project, found '../up'",
            "'media' is listed twice",
            "'.venv' cannot be shared",
            "'.venv' cannot be shared");
  }

  @Test
  void sharedDirectoriesNeedNotExist() throws Exception {
    assertThat(Files.exists(dir.resolve("media"))).isFalse();
    assertThat(project.loadWith("shared: [media]\n").shared()).containsExactly("media");
  }

  @Test
  void packagesMayBePinned() throws Exception {
    assertThat(
            project
                .loadWith(
                    "packages: [libpq-dev, 'curl=7.88.1-10+deb12u5', g++, 'xz-utils=1:2.0~rc1']\n")
                .packages())
        .containsExactly(
            new PackageRef("libpq-dev", Optional.empty()),
            new PackageRef("curl", Optional.of("7.88.1-10+deb12u5")),
            new PackageRef("g++", Optional.empty()),
            new PackageRef("xz-utils", Optional.of("1:2.0~rc1")));
  }

  @Test
  void packageProblems() {
    var problems =
        project.problems(
            TestProject.MINIMAL + "packages: [LibPQ, 'curl=', 'xz=$(id)', a, curl, 'curl=1.0']\n");

    assertThat(problems)
        .extracting(SpecProblem::message)
        .containsExactly(
            "expected a Debian package like libpq-dev or curl=7.88.1-10, found 'LibPQ'",
            "expected a Debian version after '=', found ''",
            "expected a Debian version after '=', found '$(id)'",
            "expected a Debian package like libpq-dev or curl=7.88.1-10, found 'a'",
            "'curl' is listed twice");
    assertThat(problems.getFirst().hint()).contains("package names are lowercase: libpq");
  }

  @Test
  void templatesMapDestinationsToProjectFiles() throws Exception {
    project.file("deploy/local_settings.py.j2", "x");

    assertThat(
            project
                .loadWith("templates: {./conf/local.py: deploy/local_settings.py.j2}\n")
                .templates())
        .containsExactly(Map.entry("conf/local.py", "deploy/local_settings.py.j2"));
  }

  @Test
  void templateProblems() {
    project.file("t.j2", "x");

    assertThat(
            project.problems(
                TestProject.MINIMAL
                    + "templates:\n"
                    + "  /etc/x: t.j2\n"
                    + "  ../x: t.j2\n"
                    + "  a: missing.j2\n"
                    + "  b: t.j2\n"
                    + "  ./b: t.j2\n"))
        .extracting(TestProject::where)
        .containsExactly(
            "4:3: templates./etc/x: expected a path relative to the project, found '/etc/x'",
            "5:3: templates.../x: expected a path that stays inside the project, found '../x'",
            "6:6: templates.a: 'missing.j2' does not exist in the project",
            "8:3: templates../b: 'b' is given twice");
  }
}
