package dev.hoist.scaffold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GeneratedPythonTest {
  // Debian's interpreter, the one nodes run; a pyenv python3 on PATH may be another version.
  private static final Path PYTHON = Path.of("/usr/bin/python3");

  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"wsgi", "flask", "django"})
  void generatedPythonCompiles(String template) throws Exception {
    assumeTrue(Files.isExecutable(PYTHON), "needs " + PYTHON);
    ScaffoldResult result =
        new Scaffold(Optional.empty()).create(tmp.resolve("p"), template, "my-app");
    List<String> command = new ArrayList<>(List.of(PYTHON.toString(), "-m", "py_compile"));
    result.written().stream()
        .filter(p -> p.toString().endsWith(".py"))
        .forEach(p -> command.add(p.toString()));
    assertThat(command).hasSizeGreaterThan(3);

    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    // Byte code goes aside, so the project holds only what the skeleton made.
    builder.environment().put("PYTHONPYCACHEPREFIX", tmp.resolve("pycache").toString());
    Process process = builder.start();
    process.getOutputStream().close();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("py_compile finished").isTrue();
    String output = read(process);

    assertThat(process.exitValue()).as(output).isZero();

    // And pyflakes (Debian's python3-pyflakes) finds nothing a user would have to clean up.
    command.set(2, "pyflakes");
    Process pyflakes = new ProcessBuilder(command).redirectErrorStream(true).start();
    pyflakes.getOutputStream().close();
    assertThat(pyflakes.waitFor(30, TimeUnit.SECONDS)).as("pyflakes finished").isTrue();
    String findings = read(pyflakes);
    assertThat(pyflakes.exitValue()).as(findings).isZero();
  }

  private static String read(Process process) throws IOException {
    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }
}
