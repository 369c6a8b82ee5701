package dev.hoist.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

class CompletionCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int hoist(String... args) {
    return Main.run(
        args,
        new Console(new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8), false));
  }

  @Test
  void theScriptKnowsEveryCommandThoughOnlyCompletionWasRegistered() {
    assertThat(hoist("completion", "bash")).isZero();
    String script = out.toString(UTF_8);
    for (String command : HoistCommand.SUBCOMMANDS.keySet()) {
      if (!command.equals("warmup")) {
        assertThat(script).as(command).contains(" " + command);
      }
    }
    assertThat(script).contains("complete -F _complete_hoist", "--canary", "--json", "--verbose");
    // Subcommands of subcommands, and their options.
    assertThat(script).contains("_picocli_hoist_tls_renew", "--force");
  }

  @Test
  void zshGetsTheScriptThatTurnsOnBashcompinit() {
    assertThat(hoist("completion", "zsh")).isZero();
    assertThat(out.toString(UTF_8)).contains("bashcompinit");
  }

  @Test
  void anotherShellIsBadInput() {
    assertThat(hoist("completion", "fish")).isEqualTo(ExitCode.USAGE);
    assertThat(err.toString(UTF_8)).contains("expected one of [bash, zsh]");
  }
}
