package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hoist deploy} and {@code hoist rollback} as hoist server runs them on a pushed commit
 * ({@code --pushed}): a hoist.yml naming a file of the server's machine stops them before any node
 * is reached, at the file's line and column.
 */
class PushedDeployCommandTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int hoist(String... args) {
    err.reset();
    Console console =
        new Console(
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            false);
    return Main.run(args, console);
  }

  @Test
  void theServersDeployAndRollbackRefuseAnotherSshKey() throws Exception {
    Files.writeString(
        dir.resolve("hoist.yml"),
        """
        app: hello
        wsgi: hello:application
        nodes:
          web1:
            host: 10.0.0.11
            key: /root/.ssh/id_ed25519
        environments:
          live: [web1]
        """);
    String project = dir.toString();

    for (String[] argv :
        new String[][] {
          {"deploy", "--built", "--pushed", "--json", "--env", "live", project},
          {"rollback", "--pushed", "--json", "--env", "live", project}
        }) {
      assertThat(hoist(argv)).as(argv[0]).isEqualTo(ExitCode.USAGE);
      assertThat(err.toString(StandardCharsets.UTF_8))
          .as(argv[0])
          .contains("hoist.yml:6:10: nodes.web1.key: hoist server does not allow this")
          .contains("its own key");
    }
  }
}
