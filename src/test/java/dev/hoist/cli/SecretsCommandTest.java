package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsCommandTest {
  @TempDir Path tmp;

  @Test
  void aFirstWordThatReadsAsAPathIsTheProject() throws Exception {
    Path project = Files.createDirectories(tmp.resolve("mysite"));
    Files.writeString(project.resolve("hoist.yml"), "app: mysite\n");

    assertThat(SecretsCommand.ProjectWords.split(List.of("examples/hello", "A=1"), true))
        .isEqualTo(new SecretsCommand.ProjectWords("examples/hello", List.of("A=1")));
    assertThat(SecretsCommand.ProjectWords.split(List.of(".", "OLD"), false))
        .isEqualTo(new SecretsCommand.ProjectWords(".", List.of("OLD")));
    assertThat(SecretsCommand.ProjectWords.split(List.of(project.toString(), "OLD"), false))
        .isEqualTo(new SecretsCommand.ProjectWords(project.toString(), List.of("OLD")));
  }

  @Test
  void keysAndPairsAreNotTakenForTheProject() {
    assertThat(SecretsCommand.ProjectWords.split(List.of("URL=http://x/y", "B=2"), true))
        .isEqualTo(new SecretsCommand.ProjectWords(".", List.of("URL=http://x/y", "B=2")));
    assertThat(SecretsCommand.ProjectWords.split(List.of("OLD_TOKEN"), false))
        .isEqualTo(new SecretsCommand.ProjectWords(".", List.of("OLD_TOKEN")));
    assertThat(SecretsCommand.ProjectWords.split(List.of(), false).words()).isEmpty();
  }
}
