package dev.hoist.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hoist.engine.ServiceResource.Supervisor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rendered gunicorn config, executed as gunicorn's master does on a start and each reload: the
 * secrets come after the env file (so they win), and a secret removed from the file leaves the
 * master's environment even when the master started with it (a wrapper that sourced the secrets).
 */
class GunicornSecretsTest {
  private static final Path PYTHON = Path.of("/usr/bin/python3");

  @TempDir Path tmp;

  @Test
  void secretsWinOverTheEnvFileAndAnUnsetKeyLeavesTheEnvironment() throws Exception {
    assumeTrue(Files.isExecutable(PYTHON), "needs " + PYTHON);
    Stack stack =
        new StackBuilder(Templates.forProject(tmp), Supervisor.RUNIT)
            .build(TestSpec.hello().build());
    byte[] config = stack.releaseConfig().get(".hoist/gunicorn.conf.py").content();
    Path env = tmp.resolve("env");
    Path secrets = tmp.resolve("secrets");
    Path conf = tmp.resolve("gunicorn.conf.py");
    Files.writeString(
        conf,
        new String(config, StandardCharsets.UTF_8)
            .replace("\"" + stack.layout().envFile() + "\"", "\"" + env + "\"")
            .replace("\"" + stack.layout().secretsFile() + "\"", "\"" + secrets + "\""));
    Files.writeString(env, "SHARED='from env'\nPLAIN=x\n");
    Files.writeString(secrets, "SHARED='from secrets'\nGONE='s3cr3t'\n");
    // Three loads in one process, as the master executes the config on start and on each HUP;
    // gunicorn then puts raw_env into os.environ, which the script does after each load.
    String driver =
        """
        import os, runpy, sys
        def load():
            cfg = runpy.run_path(sys.argv[1])
            env = dict(kv.split("=", 1) for kv in cfg["raw_env"])
            os.environ.update(env)
            print(env.get("SHARED"), env.get("GONE"), os.environ.get("GONE"))
        load()
        open(sys.argv[2], "w").write("SHARED='from secrets'\\n")
        load()
        os.remove(sys.argv[2])
        load()
        """;
    ProcessBuilder pb =
        new ProcessBuilder(PYTHON.toString(), "-c", driver, conf.toString(), secrets.toString())
            .redirectErrorStream(true);
    // The master started with the secret in its environment.
    pb.environment().put("GONE", "s3cr3t");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out.lines().toList())
        .containsExactly(
            "from secrets s3cr3t s3cr3t", "from secrets None None", "from env None None");
  }

  @Test
  void theTemplateContextNamesTheSecretsFile() {
    assertThat(StackBuilder.context(TestSpec.hello().build(), new AppLayout("hello")))
        .containsEntry("secrets_file", "/srv/hello/etc/secrets");
    assertThat(List.of(new AppLayout("hello").secretsIndex()))
        .containsExactly("/srv/hello/etc/secrets.json");
  }
}
