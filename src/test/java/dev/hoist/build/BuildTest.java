package dev.hoist.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hoist.project.BuildSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Running {@code build:} commands as this test's user: output, failure, timeout. */
class BuildTest {
  @TempDir Path tree;

  private static BuildSpec spec(Duration timeout, String... commands) {
    List<BuildSpec.Command> list = new ArrayList<>();
    for (int i = 0; i < commands.length; i++) {
      list.add(new BuildSpec.Command(commands[i], "hoist.yml", 10 + i, 5));
    }
    return new BuildSpec(list, timeout);
  }

  private static BuildUser me() throws IOException {
    return new BuildUser("me", 0, 0, Path.of("/"), true);
  }

  @Test
  void runsEachCommandInTheTreeAndStreamsItsOutput() throws Exception {
    List<String> out = Collections.synchronizedList(new ArrayList<>());

    Build.run(
        spec(
            Duration.ofMinutes(1),
            "mkdir dist && echo built > dist/app.css",
            "cat dist/app.css >&2"),
        tree,
        me(),
        out::add);

    assertThat(tree.resolve("dist/app.css")).hasContent("built");
    assertThat(out)
        .containsExactly(
            "$ mkdir dist && echo built > dist/app.css", "$ cat dist/app.css >&2", "built");
  }

  @Test
  void theFirstFailingCommandStopsTheBuildNamingItsLineAndTail() throws Exception {
    BuildException e =
        catchThrowableOfType(
            BuildException.class,
            () ->
                Build.run(
                    spec(Duration.ofMinutes(1), "true", "seq 1 50; exit 3", "touch never"),
                    tree,
                    me(),
                    line -> {}));

    assertThat(e.getMessage())
        .startsWith("hoist.yml:11:5: build: 'seq 1 50; exit 3' failed with exit code 3 after ")
        .contains("the live release is untouched");
    assertThat(e.tail()).hasSize(Build.TAIL).endsWith("50");
    assertThat(tree.resolve("never")).doesNotExist();
  }

  @Test
  void aCommandStillRunningAtTheTimeoutIsKilledWithItsChildren() throws Exception {
    long started = System.nanoTime();
    // Found by a name of this test's own: in a namespace of its own, $! is not this machine's pid.
    String name = "waiting-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    BuildException e =
        catchThrowableOfType(
            BuildException.class,
            () ->
                Build.run(
                    spec(
                        Duration.ofMillis(500),
                        "cp /bin/sleep " + name + " && ./" + name + " 60 & wait"),
                    tree,
                    me(),
                    line -> {}));

    assertThat(e.getMessage()).contains("still ran after build.timeout");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    for (int i = 0; i < 50 && !running(name).isEmpty(); i++) {
      Thread.sleep(100);
    }
    assertThat(running(name)).isEmpty();
  }

  private static List<ProcessHandle> running(String name) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().command().orElse("").endsWith("/" + name))
        .toList();
  }

  @Test
  void anotherUserRunsInItsOwnPidNamespaceThroughSetprivWithACleanEnvironment() {
    BuildUser alice = new BuildUser("alice", 1000, 1000, Path.of("/home/alice"), false);

    assertThat(alice.withHome(Path.of("/tmp/b/home")).wrap(List.of("/bin/sh", "-c", "make")))
        .startsWith(
            "/usr/bin/setpriv",
            "--pdeathsig",
            "KILL",
            "--",
            "/usr/bin/unshare",
            "--pid",
            "--fork",
            "--kill-child",
            "--mount-proc",
            "--",
            "/usr/bin/unshare",
            "--fork",
            "--kill-child",
            "--",
            "/usr/bin/setpriv",
            "--reuid=1000",
            "--regid=1000",
            "--init-groups",
            "--")
        .contains("/usr/bin/env", "-i", "HOME=/tmp/b/home", "PATH=/usr/local/bin:/usr/bin:/bin")
        .endsWith("/bin/sh", "-c", "make");
  }

  @Test
  void noProcessABuildStartedOutlivesIt() throws Exception {
    assumeTrue(BuildUser.euid() == 0, "only root builds as another user");
    BuildUser nobody = BuildUser.named("nobody").orElseThrow();
    BuildTree.adopt(tree, nobody);
    // A copy of sleep under a name of this test's own, left running in the background.
    String name = "leftover-" + java.util.UUID.randomUUID().toString().substring(0, 8);

    Build.run(
        spec(Duration.ofMinutes(1), "cp /bin/sleep " + name + " && ./" + name + " 1000 &"),
        tree,
        nobody,
        line -> {});

    assertThat(running(name)).isEmpty();
  }

  @Test
  void noProcessABuildAsHoistsOwnUserStartedOutlivesItWhereNamespacesAreAllowed() throws Exception {
    assumeTrue(BuildUser.OwnNamespaces.allowed(), "this machine lets no user make a namespace");
    String name = "leftover-" + java.util.UUID.randomUUID().toString().substring(0, 8);

    Build.run(
        spec(Duration.ofMinutes(1), "cp /bin/sleep " + name + " && ./" + name + " 1000 &"),
        tree,
        me(),
        line -> {});

    assertThat(running(name)).isEmpty();
  }

  @Test
  void aBuildAsAnotherUserEndsWhenWhatStartedItIsKilled() throws Exception {
    assumeTrue(BuildUser.euid() == 0, "only root builds as another user");
    BuildUser nobody = BuildUser.named("nobody").orElseThrow();
    BuildTree.adopt(tree, nobody);
    // Its first process clears its own death signal first: it is not the namespace's init.
    endsWithItsStarter(
        nobody,
        "python3 -c 'import ctypes, os, sys; ctypes.CDLL(None).prctl(1, 0);"
            + " os.execv(sys.argv[1], sys.argv[1:])' ./");
  }

  @Test
  void aBuildAsHoistsOwnUserEndsWhenWhatStartedItIsKilled() throws Exception {
    assumeTrue(BuildUser.OwnNamespaces.allowed(), "this machine lets no user make a namespace");
    endsWithItsStarter(me(), "exec ./");
  }

  /**
   * A server killed outright (SIGKILL) in the middle of a build: here its stand-in, a process that
   * starts the wrapped build and is then killed. Nothing of the build may live on.
   */
  private void endsWithItsStarter(BuildUser user, String run) throws Exception {
    String name = "orphan-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    List<String> argv =
        new ArrayList<>(
            List.of(
                "/usr/bin/python3",
                "-c",
                "import subprocess, sys, time; subprocess.Popen(sys.argv[1:]); time.sleep(1000)"));
    argv.addAll(
        user.wrap(
            List.of("/bin/sh", "-c", "cp /bin/sleep " + name + " && " + run + name + " 1000")));
    Process starter =
        new ProcessBuilder(argv)
            .directory(tree.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    for (int i = 0; i < 100 && running(name).isEmpty(); i++) {
      Thread.sleep(50);
    }
    assertThat(running(name)).as("the build runs").isNotEmpty();

    starter.destroyForcibly().waitFor();

    for (int i = 0; i < 100 && !running(name).isEmpty(); i++) {
      Thread.sleep(50);
    }
    assertThat(running(name)).as("the build outlived its starter").isEmpty();
  }
}
