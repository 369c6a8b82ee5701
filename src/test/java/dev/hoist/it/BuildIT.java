package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code build:} on a CLI deploy to this machine: run as the project's owner (never root) in a
 * clean copy, its asset shipped and served by nginx; a failing build names its line, shows its last
 * lines, exits 1 and leaves the old release serving.
 */
class BuildIT {
  static final String APP = "itbuild";
  @TempDir static Path tmp;

  @BeforeAll
  @AfterAll
  static void clean() throws Exception {
    Hoist.purge(APP);
  }

  @Test
  void theBuildsOutputShipsAndAFailedBuildChangesNothing() throws Exception {
    Path project =
        HelloCopy.make(
            APP,
            tmp,
            """
            static: {/assets: dist}
            build:
              - mkdir -p dist && printf 'built by %s\\n' "$(id -u)" > dist/app.css
              - test ! -e .venv && test ! -e node_modules
            """);
    Files.createDirectories(project.resolve("node_modules/left"));
    Files.writeString(project.resolve("node_modules/left/x.js"), "not copied\n");

    // A project root owns: the build would run as root, so it is refused before anything starts.
    Hoist.Result refused = Hoist.run("deploy", project.toString());
    assertThat(refused.exit()).as(refused.all()).isEqualTo(2);
    assertThat(refused.all()).contains("never runs it as root").contains("chown -R");

    Hoist.sh("chown -R 65534:65534 " + project);
    Hoist.Result r = Hoist.run("deploy", project.toString());
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.all()).contains("building in a clean copy as nobody").contains("built in ");
    assertThat(Http.get(APP + ".test", "/assets/app.css").body()).isEqualTo("built by 65534\n");
    assertThat(project.resolve("dist")).doesNotExist();
    String live = Files.readSymbolicLink(Path.of("/srv/" + APP + "/current")).toString();

    Path yml = project.resolve("hoist.yml");
    Files.writeString(
        yml,
        Files.readString(yml)
            + "  - \"echo compiling; echo 'error: no such module' >&2; exit 7\"\n");
    HelloCopy.version(project, 2);
    Hoist.Result failed = Hoist.run("deploy", project.toString());
    assertThat(failed.exit()).as(failed.all()).isEqualTo(1);
    assertThat(failed.all())
        .containsPattern(
            java.util.regex.Pattern.quote(yml.toString()) + ":1[0-9]:5: build: 'echo compiling;")
        .contains("failed with exit code 7")
        .contains("error: no such module")
        .contains("the live release is untouched");
    assertThat(Files.readSymbolicLink(Path.of("/srv/" + APP + "/current")).toString())
        .isEqualTo(live);
    assertThat(Http.get(APP + ".test", "/").body()).contains("version 1");
    assertThat(Http.get(APP + ".test", "/assets/app.css").body()).isEqualTo("built by 65534\n");
    try (var left = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.startsWith("hoist-build-" + APP));
    }
  }
}
