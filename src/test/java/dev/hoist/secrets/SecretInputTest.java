package dev.hoist.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretInputTest {
  @TempDir Path dir;

  private static InputStream stdin(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }

  private Map<String, String> read(List<String> pairs, String stdin) throws SecretsException {
    return SecretInput.read(pairs, Optional.empty(), stdin(stdin), dir);
  }

  @Test
  void valuesComeFromTheArgumentStdinOrAFileWithOneTrailingLineBreakDropped() throws Exception {
    Files.writeString(dir.resolve("key.pem"), "-----BEGIN-----\nabc\n-----END-----\n\n");
    Map<String, String> values =
        read(List.of("PLAIN=a=b c", "FROM_STDIN=-", "FROM_FILE=@key.pem", "EMPTY="), "typed\n");
    assertThat(values)
        .containsExactly(
            Map.entry("PLAIN", "a=b c"),
            Map.entry("FROM_STDIN", "typed"),
            Map.entry("FROM_FILE", "-----BEGIN-----\nabc\n-----END-----\n"),
            Map.entry("EMPTY", ""));
  }

  @Test
  void argumentsOverrideTheDotenvFile() throws Exception {
    Files.writeString(dir.resolve(".env"), "A=from-file\nB=kept\n");
    assertThat(
            SecretInput.read(
                List.of("A=from-argument"), Optional.of(Path.of(".env")), stdin(""), dir))
        .containsEntry("A", "from-argument")
        .containsEntry("B", "kept");
  }

  @Test
  void badInputIsRefusedWithoutEchoingAValue() {
    assertThatThrownBy(() -> read(List.of("A=1", "hunter2"), ""))
        .hasMessageContaining("argument 2 is not KEY=VALUE")
        .message()
        .doesNotContain("hunter2");
    assertThatThrownBy(() -> read(List.of("A=-", "B=-"), "x"))
        .hasMessageContaining("only one KEY=- can read stdin");
    assertThatThrownBy(() -> read(List.of("A=hunter2", "A=other"), ""))
        .hasMessage("A is given twice");
    assertThatThrownBy(() -> read(List.of("A=@missing.txt"), ""))
        .hasMessageEndingWith("missing.txt: no such file");
    assertThatThrownBy(() -> read(List.of("A=-"), "nul\0byte"))
        .hasMessageContaining("the value of A contains a NUL byte")
        .message()
        .doesNotContain("nul");
    assertThatThrownBy(() -> read(List.of("MY-KEY=hunter2"), ""))
        .hasMessageStartingWith("'MY-KEY' is not a secret name")
        .message()
        .doesNotContain("hunter2");
  }

  @Test
  void aFileThatIsNotUtf8IsRefused() throws Exception {
    Files.write(dir.resolve("bin"), new byte[] {(byte) 0xff, (byte) 0xfe, 0});
    assertThatThrownBy(() -> read(List.of("A=@bin"), "")).hasMessageContaining("is not UTF-8 text");
  }

  @Test
  void namesAreEnvironmentNamesThatHoistDoesNotSetItself() throws Exception {
    assertThat(SecretName.check("DATABASE_URL")).isEqualTo("DATABASE_URL");
    assertThat(SecretName.check("_private9")).isEqualTo("_private9");
    for (String bad : List.of("", "9LIVES", "MY-KEY", "A B", "ÄPFEL", "A.B")) {
      assertThatThrownBy(() -> SecretName.check(bad))
          .as(bad)
          .hasMessageContaining("is not a secret name: use an environment variable name");
    }
    assertThatThrownBy(() -> SecretName.check("HOIST_RELEASE"))
        .hasMessage(
            "'HOIST_RELEASE' is not a secret name: hoist sets HOIST_* variables itself; pick"
                + " another name");
    assertThatThrownBy(() -> SecretName.check("PATH")).hasMessageContaining("hoist sets PATH");
  }

  @Test
  void theRecordsThatCarryValuesNeverPrintThem() {
    SecretChange change = SecretChange.set(Map.of("TOKEN", "hunter2"));
    assertThat(change.toString()).contains("TOKEN").doesNotContain("hunter2");
    assertThat(new SecretValues(Map.of("TOKEN", "hunter2")).toString())
        .contains("TOKEN")
        .doesNotContain("hunter2");
  }
}
