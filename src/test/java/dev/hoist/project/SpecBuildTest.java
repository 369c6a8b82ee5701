package dev.hoist.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code build} key: both forms, where each command is written, and its mistakes. */
class SpecBuildTest {
  @TempDir Path dir;
  TestProject project;

  @BeforeEach
  void setUp() {
    project = new TestProject(dir);
  }

  @Test
  void aListOfShellCommandsWithTheDefaultTimeout() throws Exception {
    Spec spec =
        project.loadWith("build:\n  - npm ci\n  - NODE_ENV=production npm run build && ls\n");

    assertThat(spec.build().commands())
        .extracting(BuildSpec.Command::text)
        .containsExactly("npm ci", "NODE_ENV=production npm run build && ls");
    assertThat(spec.build().commands().get(1).where()).isEqualTo(dir.resolve("hoist.yml") + ":5:5");
    assertThat(spec.build().timeout()).isEqualTo(BuildSpec.DEFAULT_TIMEOUT);
  }

  @Test
  void theMapFormSetsTheTimeout() throws Exception {
    Spec spec = project.loadWith("build: {run: [make assets], timeout: 30m}\n");

    assertThat(spec.build().commands())
        .extracting(BuildSpec.Command::text)
        .containsExactly("make assets");
    assertThat(spec.build().timeout()).isEqualTo(Duration.ofMinutes(30));
  }

  @Test
  void withoutTheKeyThereIsNoBuild() throws Exception {
    assertThat(project.loadWith("").build().isEmpty()).isTrue();
  }

  @Test
  void aStaticDirTheBuildMakesNeedNotExistYet() throws Exception {
    Spec spec = project.loadWith("static: {/assets: dist}\nbuild: [mkdir dist]\n");

    assertThat(spec.statics()).containsEntry("/assets", "dist");
  }

  @Test
  void mistakesArePointedAt() {
    assertThat(TestProject.where(project.problemWith("build: npm run build\n")))
        .startsWith("3:8: build: expected a list of shell commands");
    assertThat(TestProject.where(project.problemWith("build: []\n")))
        .isEqualTo("3:8: build: the list of commands is empty");
    assertThat(TestProject.where(project.problemWith("build:\n  - make\n  - \"  \"\n")))
        .isEqualTo("5:5: build: the command is empty");
    assertThat(TestProject.where(project.problemWith("build: {run: [make], timeout: soon}\n")))
        .startsWith("3:31: build.timeout: ");
    assertThat(TestProject.where(project.problemWith("build: {timeout: 5m}\n")))
        .startsWith("3:8: build.run: required key is missing");
    assertThat(TestProject.where(project.problemWith("build: {run: [make], tiemout: 5m}\n")))
        .contains("tiemout");
  }
}
