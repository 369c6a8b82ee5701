package dev.hoist.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Python that runs on nodes (the agent, the ACME and data runners), checked the way nodes run
 * it (Debian's /usr/bin/python3): pyflakes finds no fault in it or in its tests, and its unit tests
 * (src/test/python) pass.
 */
class AgentPythonTest {
  private static final Path PYTHON = Path.of("/usr/bin/python3");
  private static final Path AGENT = Path.of("src/main/resources/dev/hoist/node/agent.py");
  private static final Path ACME_RUNNER = Path.of("src/main/resources/dev/hoist/tls/hoist-acme.py");
  private static final Path CRON_RUNNER =
      Path.of("src/main/resources/dev/hoist/stack/hoist-cron.py");
  private static final Path SERVICES_RUNNERS = Path.of("src/main/resources/dev/hoist/services");
  private static final Path TESTS = Path.of("src/test/python");

  @Test
  void pyflakesFindsNothing() throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "-m",
                "pyflakes",
                AGENT.toString(),
                ACME_RUNNER.toString(),
                CRON_RUNNER.toString()));
    for (Path dir : List.of(SERVICES_RUNNERS, TESTS)) {
      try (var files = Files.list(dir)) {
        files.filter(f -> f.toString().endsWith(".py")).forEach(f -> command.add(f.toString()));
      }
    }
    Result pyflakes = python(command);
    assertThat(pyflakes.output())
        .as("python3-pyflakes is installed (scripts/install-test-deps.sh installs it)")
        .doesNotContain("No module named pyflakes");
    assertThat(pyflakes.exit()).as(pyflakes.output()).isZero();
  }

  @Test
  void agentUnitTestsPass() throws Exception {
    Result tests = python(List.of("-m", "unittest", "discover", "-s", TESTS.toString(), "-v"));
    assertThat(tests.exit()).as(tests.output()).isZero();
    assertThat(tests.output()).contains("OK");
  }

  private record Result(int exit, String output) {}

  private static Result python(List<String> args) throws Exception {
    assertThat(PYTHON).as("Debian's python3, which nodes run").isExecutable();
    List<String> command = new ArrayList<>(List.of(PYTHON.toString()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    // No byte code in the source tree.
    builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");
    Process process = builder.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("python finished").isTrue();
    return new Result(process.exitValue(), output);
  }
}
