package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hoist server token create|list|revoke} on a temp data dir, through Main as typed. */
class ServerTokenCommandTest {
  @TempDir Path dir;
  private Path yml;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @BeforeEach
  void serverYml() throws Exception {
    Path secret = dir.resolve("shop.secret");
    Files.writeString(secret, "s3cret\n");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    yml = dir.resolve("server.yml");
    Files.writeString(
        yml,
        """
        data: data
        projects:
          shop:
            repo: https://example.com/shop.git
            secret_file: shop.secret
        """);
  }

  private int hoist(String... args) {
    out.reset();
    err.reset();
    Console console =
        new Console(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            false);
    return Main.run(args, console);
  }

  @Test
  void makesListsAndRevokesTokensPrintingEachOnlyOnce() {
    assertThat(
            hoist(
                "server", "token", "create", "ci", "--scope", "deploy", "--config", yml.toString()))
        .isZero();
    String token = out.toString(StandardCharsets.UTF_8).trim();
    assertThat(token).matches("hoist_[A-Za-z0-9_-]{43}");
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("shown only now")
        .doesNotContain(token);

    assertThat(hoist("server", "--config", yml.toString(), "token", "list")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("ci")
        .contains("deploy")
        .doesNotContain(token);

    assertThat(hoist("server", "token", "create", "ci", "--config", yml.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("a token named 'ci' exists");

    assertThat(hoist("server", "token", "revoke", "ci", "--config", yml.toString())).isZero();
    assertThat(hoist("server", "token", "revoke", "ci", "--config", yml.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("no token named 'ci'");
  }

  @Test
  void refusesABadScopeTheServersOwnNameAndAMissingConfig() {
    assertThat(
            hoist(
                "server", "token", "create", "ci", "--scope", "admin", "--config", yml.toString()))
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--scope is read or deploy");
    assertThat(hoist("server", "token", "create", "local", "--config", yml.toString()))
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("is the server's own");
    assertThat(hoist("server", "token", "list")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--config");
    assertThat(hoist("server")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("needs --config");
  }
}
