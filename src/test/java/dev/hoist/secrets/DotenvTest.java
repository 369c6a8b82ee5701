package dev.hoist.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DotenvTest {
  @Test
  void readsBareQuotedAndExportedValuesSkippingCommentsAndBlankLines() throws Exception {
    String text =
        """
        # database
        DATABASE_URL=postgres://u:p@db/app

        export SECRET_KEY = 's3cr3t # not a comment'
        QUOTED="line one\\nline \\"two\\" \\$HOME"
        BARE=value with spaces   # a comment
        HASH=abc#def
        EMPTY=
        MULTI='first
        second'
        LITERAL='${NOT_EXPANDED}\\n'
        """;
    Map<String, String> pairs = Dotenv.parse(text, ".env");
    assertThat(pairs)
        .containsExactly(
            Map.entry("DATABASE_URL", "postgres://u:p@db/app"),
            Map.entry("SECRET_KEY", "s3cr3t # not a comment"),
            Map.entry("QUOTED", "line one\nline \"two\" $HOME"),
            Map.entry("BARE", "value with spaces"),
            Map.entry("HASH", "abc#def"),
            Map.entry("EMPTY", ""),
            Map.entry("MULTI", "first\nsecond"),
            Map.entry("LITERAL", "${NOT_EXPANDED}\\n"));
  }

  @Test
  void aLaterKeyWinsAndWindowsLineEndsAreRead() throws Exception {
    assertThat(Dotenv.parse("A=1\r\nA=2\r\nB='x'\r\n", "f"))
        .containsExactly(Map.entry("A", "2"), Map.entry("B", "x"));
  }

  @Test
  void errorsNameFileAndLineButNeverTheValue() {
    assertThatThrownBy(() -> Dotenv.parse("A=1\nthis-is-secret\n", ".env.prod"))
        .hasMessage(".env.prod:2: expected KEY=VALUE")
        .message()
        .doesNotContain("this-is-secret");
    assertThatThrownBy(() -> Dotenv.parse("A=1\n\nB='hunter2\n", ".env"))
        .hasMessageStartingWith(".env:3: ")
        .hasMessageContaining("never closed")
        .message()
        .doesNotContain("hunter2");
    assertThatThrownBy(() -> Dotenv.parse("A=\"hunter2\" trailing\n", ".env"))
        .hasMessageContaining(".env:1: unexpected text")
        .message()
        .doesNotContain("hunter2");
    assertThatThrownBy(() -> Dotenv.parse("HOIST_APP=x\n", ".env"))
        .hasMessageStartingWith(".env:1: 'HOIST_APP' is not a secret name");
    assertThatThrownBy(() -> Dotenv.parse("1BAD=x\n", ".env"))
        .hasMessageStartingWith(".env:1: '1BAD' is not a secret name");
  }
}
