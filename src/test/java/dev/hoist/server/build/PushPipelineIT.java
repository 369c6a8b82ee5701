package dev.hoist.server.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hoist.build.BuildUser;
import dev.hoist.it.Hoist;
import dev.hoist.it.Http;
import dev.hoist.server.ProjectConfig;
import dev.hoist.server.hooks.HookRules;
import dev.hoist.server.hooks.Provider;
import dev.hoist.server.hooks.WebhookSecret;
import dev.hoist.server.queue.DeployRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline for real on this machine: a bare repository holding examples/hello with a build,
 * pushed to; the pipeline fetches the commit, builds it as nobody and deploys it with hoist deploy
 * (served by nginx); a commit whose build fails leaves the old release serving; a rollback (the
 * dashboard's and the API's) switches back to the release before the live one.
 */
class PushPipelineIT {
  static final String APP = "itpush";
  @TempDir static Path tmp;
  final List<String> lines = Collections.synchronizedList(new ArrayList<>());
  final List<String> nodes = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  @AfterAll
  static void clean() throws Exception {
    Hoist.purge(APP);
  }

  private final PipelineLog log =
      new PipelineLog() {
        @Override
        public void line(String text) {
          lines.add(text);
        }

        @Override
        public void phase(String phase, Duration took) {
          lines.add("phase " + phase);
        }

        @Override
        public void node(String node, String outcome, String release) {
          nodes.add(node + " " + outcome);
        }
      };

  @Test
  void aPushedCommitIsBuiltAndServedAFailingBuildChangesNothingAndARollbackGoesBack()
      throws Exception {
    Path bare = tmp.resolve("itpush.git");
    Path work = tmp.resolve("work");
    git(tmp, "init", "-q", "--bare", "-b", "main", bare.toString());
    git(tmp, "clone", "-q", bare.toString(), work.toString());
    for (String f : List.of("hello.py", "hoist.yml")) {
      Files.copy(Path.of("examples/hello").resolve(f), work.resolve(f));
    }
    Path yml = work.resolve("hoist.yml");
    int leftPort;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      leftPort = free.getLocalPort();
    }
    Files.writeString(
        yml,
        Files.readString(yml)
                .replace("app: hello", "app: " + APP)
                .replace("hello.test", APP + ".test")
            + "static: {/assets: dist}\n"
            // A build that rewrites hoist.yml is not obeyed: the deploy reads the commit's.
            + "build: [\"mkdir dist && id -un > dist/who.txt"
            + " && sed -i s/"
            + APP
            + ".test/evil.test/ hoist.yml\""
            // Its HOME is its own and writable; what it leaves running (a sleep, a listener on
            // a port, detached with setsid) ends with it.
            + ", 'echo cached > \"$HOME/cache\" && cp \"$HOME/cache\" dist/home.txt'"
            + ", 'cp /bin/sleep \"$HOME/leftover-itpush\" && (\"$HOME/leftover-itpush\" 1000 &)'"
            + ", 'setsid python3 listen.py "
            + leftPort
            + " \"$HOME/bound\" & while [ ! -e \"$HOME/bound\" ]; do sleep 0.1; done'"
            + "]\n");
    Files.writeString(
        work.resolve("listen.py"),
        "import socket, sys, time\n"
            + "s = socket.socket()\n"
            + "s.bind(('127.0.0.1', int(sys.argv[1])))\n"
            + "s.listen()\n"
            + "open(sys.argv[2], 'w').close()\n"
            + "time.sleep(1000)\n");
    String first = push(work, "first");

    BuildUser nobody = BuildUser.named("nobody").orElseThrow();
    PushPipeline pipeline = new PushPipeline(tmp.resolve("data"), HoistCli.thisJvm(), () -> nobody);
    ProjectConfig project =
        new ProjectConfig(
            APP,
            bare.toString(),
            "main",
            Optional.empty(),
            new HookRules(Provider.GITHUB, Optional.of(WebhookSecret.of("s")), "main", List.of()),
            List.of(),
            Optional.of(Path.of("/etc/hoist-server/shop.secret")));
    PipelineResult deployed =
        pipeline.deploy(project, new DeployRequest(APP, first, "t", "first", "test"), log);

    assertThat(deployed.commit()).isEqualTo(first);
    assertThat(lines).contains("phase fetch", "phase build", "phase deploy");
    assertThat(nodes).hasSize(1).allMatch(n -> n.endsWith(" deployed"));
    assertThat(Http.get(APP + ".test", "/assets/who.txt").body()).isEqualTo("nobody\n");
    assertThat(Http.get(APP + ".test", "/assets/home.txt").body()).isEqualTo("cached\n");
    assertThat(
            ProcessHandle.allProcesses()
                .filter(p -> p.info().command().orElse("").endsWith("/leftover-itpush"))
                .toList())
        .isEmpty();
    // Nothing of the build holds the port it listened on: the server's port after a restart
    // stays the server's (BuildLeftovers covers a build left by a server that was killed).
    try (ServerSocket again = new ServerSocket(leftPort, 1, InetAddress.getLoopbackAddress())) {
      assertThat(again.getLocalPort()).isEqualTo(leftPort);
    }
    assertThat(Http.get(APP + ".test", "/").body()).contains("version 1");
    String live = Files.readSymbolicLink(Path.of("/srv/" + APP + "/current")).toString();
    assertThat(live).endsWith(deployed.release());

    Files.writeString(
        yml, Files.readString(yml).replace("id -un > dist/who.txt", "echo broken; exit 9; true"));
    Files.writeString(
        work.resolve("hello.py"),
        Files.readString(work.resolve("hello.py")).replace("version 1", "version 2"));
    String second = push(work, "second");
    PipelineFailure failed =
        catchThrowableOfType(
            PipelineFailure.class,
            () ->
                pipeline.deploy(
                    project, new DeployRequest(APP, second, "t", "second", "test"), log));

    assertThat(failed.phase()).isEqualTo("build");
    assertThat(failed.getMessage()).contains("exit code 9").contains("broken");
    assertThat(Files.readSymbolicLink(Path.of("/srv/" + APP + "/current")).toString())
        .isEqualTo(live);
    assertThat(Http.get(APP + ".test", "/").body()).contains("version 1");

    Files.writeString(
        yml, Files.readString(yml).replace("echo broken; exit 9; true", "id -un > dist/who.txt"));
    String third = push(work, "third");
    PipelineResult fixed =
        pipeline.deploy(project, new DeployRequest(APP, third, "t", "third", "test"), log);
    assertThat(Http.get(APP + ".test", "/").body()).contains("version 2");

    PipelineResult back = pipeline.rollback(project, log);

    assertThat(back.release()).isEqualTo(deployed.release()).isNotEqualTo(fixed.release());
    assertThat(Files.readSymbolicLink(Path.of("/srv/" + APP + "/current")).toString())
        .isEqualTo(live);
    assertThat(Http.get(APP + ".test", "/").body()).contains("version 1");
  }

  private static String push(Path work, String message) throws Exception {
    git(work, "add", "-A");
    git(work, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "-m", message);
    git(work, "push", "-q", "origin", "HEAD:main");
    return git(work, "rev-parse", "HEAD").strip();
  }

  private static String git(Path dir, String... args) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of("git", "-C", dir.toString()));
    argv.addAll(List.of(args));
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    return out;
  }
}
