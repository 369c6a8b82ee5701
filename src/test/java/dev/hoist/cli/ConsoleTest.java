package dev.hoist.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What a node's or an app's words can do to the user's terminal: colour at most. */
class ConsoleTest {
  @Test
  void controlSequencesFromANodeAreDefusedAndColourKept() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Console console = new Console(new PrintStream(out, true, StandardCharsets.UTF_8), null, true);
    String retitle = "\u001b]0;pwned\u0007";
    String clear = "\u001b[2J\u001b[H";
    console.line(console.green("drill passed") + ": " + retitle + clear + "ok\r\u009b1m\tdone\n2");
    String shown = out.toString(StandardCharsets.UTF_8);
    assertThat(shown)
        .startsWith("\u001b[32mdrill passed\u001b[0m: ")
        .doesNotContain("\u001b]", "\u0007", "\u001b[2J", "\r", "\u009b")
        .contains("]0;pwned", "ok", "\tdone\n2");
  }

  @Test
  void plainTextIsLeftAlone() {
    assertThat(Console.safe("héllo\twörld\n")).isEqualTo("héllo\twörld\n");
  }
}
