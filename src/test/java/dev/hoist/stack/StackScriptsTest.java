package dev.hoist.stack;

import static dev.hoist.stack.StackBuilderTest.build;
import static dev.hoist.stack.StackBuilderTest.content;
import static dev.hoist.stack.StackBuilderTest.releaseConfig;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.engine.AgentProtocol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's scripts run for real against a release laid out in a temp dir: with-env under /bin/sh,
 * gunicorn's config under Debian's python3 (the interpreters nodes use).
 */
class StackScriptsTest {
  private static final Path SH = Path.of("/bin/sh");
  private static final Path PYTHON = Path.of("/usr/bin/python3");
  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
  private static final String GREETING = "it's \"$HOME\" and `id`";
  private static final String CERT = "line one\nline two";

  private final Stack stack =
      build(TestSpec.hello().env("GREETING", GREETING).env("CERT", CERT).build());

  @TempDir Path tmp;
  private Path release;

  @BeforeEach
  void layOutARelease() throws IOException {
    // Readable by anyone: the with-env test runs as nobody when the suite runs as root.
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    release = Files.createDirectories(tmp.resolve("releases/20261202T1300-abc"));
    Path config = Files.createDirectories(release.resolve(".hoist"));
    for (Map.Entry<String, Stack.ReleaseFile> f : stack.releaseConfig().entrySet()) {
      Files.write(release.resolve(f.getKey()), f.getValue().content());
    }
    Files.setPosixFilePermissions(
        tmp.resolve("releases"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(release, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(
        config.resolve("env"), PosixFilePermissions.fromString("rw-r--r--"));
  }

  @Test
  void withEnvRefusesToRunAsRootAndRunsNothing() throws Exception {
    assumeTrue(isRoot(), "needs root");
    Path marker = tmp.resolve("ran");

    Result result =
        run(
            List.of(SH.toString(), withEnv(), "/usr/bin/touch", marker.toString()),
            Map.of("HOIST_RELEASE_DIR", release.toString()));

    assertThat(result.exit()).isEqualTo(70);
    assertThat(result.output()).contains("with-env: refusing to run as root");
    assertThat(marker).doesNotExist();
  }

  @Test
  void withEnvRunsTheCommandInTheReleaseWithItsEnvAndVenv() throws Exception {
    assumeTrue(Files.isExecutable(SH), "needs " + SH);
    List<String> command = new ArrayList<>();
    if (isRoot()) {
      assumeTrue(Files.isExecutable(SETPRIV), "needs " + SETPRIV);
      command.addAll(
          List.of(SETPRIV.toString(), "--reuid=65534", "--regid=65534", "--clear-groups"));
    }
    command.addAll(
        List.of(
            SH.toString(),
            withEnv(),
            "/bin/sh",
            "-c",
            "printf '%s\\0' \"$PWD\" \"$HOIST_RELEASE\" \"${HOIST_RELEASE_DIR-unset}\" \"$PATH\""
                + " \"$VIRTUAL_ENV\" \"$HOIST_APP\" \"$GREETING\" \"$CERT\"",
            "sh"));

    // A hook's way in: the release being prepared, not 'current'.
    Result result = run(command, Map.of("HOIST_RELEASE_DIR", release.toString()));

    assertThat(result.exit()).as(result.output()).isZero();
    assertThat(result.output().split("\0"))
        .containsExactly(
            release.toString(),
            "20261202T1300-abc",
            "unset",
            release + "/.venv/bin:/usr/local/bin:/usr/bin:/bin",
            release + "/.venv",
            "hello",
            // Sourced by sh, every quoted value comes back byte for byte.
            GREETING,
            CERT);
  }

  @Test
  void gunicornConfigReadsTheReleaseEnvThenTheSecrets() throws Exception {
    Path secrets = tmp.resolve("secrets");
    Files.writeString(secrets, "GREETING='from secrets'\nAPI_KEY='k'\n");

    List<String> env = rawEnv(secrets);

    assertThat(env)
        .containsSubsequence(
            "HOIST_APP=hello",
            "HOME=/srv/hello",
            "GREETING=" + GREETING,
            "CERT=" + CERT,
            "GREETING=from secrets",
            "API_KEY=k");
    assertThat(env.getLast()).isEqualTo("API_KEY=k");
  }

  @Test
  void gunicornConfigStartsWithoutSecrets() throws Exception {
    List<String> env = rawEnv(tmp.resolve("no-secrets"));

    assertThat(env)
        .contains("GREETING=" + GREETING, "CERT=" + CERT)
        .last()
        .isEqualTo("CERT=" + CERT);
  }

  /** gunicorn's {@code raw_env} as the release's config computes it, pointed at this temp dir. */
  private List<String> rawEnv(Path secrets) throws Exception {
    assumeTrue(Files.isExecutable(PYTHON), "needs " + PYTHON);
    String config =
        releaseConfig(stack, ".hoist/gunicorn.conf.py")
            .replace(stack.layout().envFile(), release.resolve(".hoist/env").toString())
            .replace(stack.layout().secretsFile(), secrets.toString());
    Path file = Files.writeString(tmp.resolve("gunicorn.conf.py"), config);

    Result result =
        run(
            List.of(
                PYTHON.toString(),
                "-I",
                "-c",
                "import json, runpy, sys;"
                    + " print(json.dumps(runpy.run_path(sys.argv[1])['raw_env']))",
                file.toString()),
            Map.of());

    assertThat(result.exit()).as(result.output()).isZero();
    List<String> env = new ArrayList<>();
    for (JsonNode e : AgentProtocol.json().readTree(result.output())) {
      env.add(e.asText());
    }
    return env;
  }

  private String withEnv() throws IOException {
    Path file =
        Files.writeString(
            tmp.resolve("with-env"), content(stack.catalog(), "file:" + stack.layout().withEnv()));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file.toString();
  }

  private static boolean isRoot() throws IOException {
    return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
  }

  private record Result(int exit, String output) {}

  /** Runs {@code command} in {@code tmp} with only PATH and {@code env} in its environment. */
  private Result run(List<String> command, Map<String, String> env) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(tmp.toFile()).redirectErrorStream(true);
    builder.environment().clear();
    builder.environment().put("PATH", "/usr/bin:/bin");
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
    return new Result(
        process.exitValue(), new String(process.getInputStream().readAllBytes(), UTF_8));
  }
}
