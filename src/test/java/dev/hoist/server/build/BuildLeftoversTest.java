package dev.hoist.server.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hoist.build.BuildUser;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A root server's start: what a build user left running (a listener waiting for the server's port,
 * a forking child) is killed before the server binds.
 */
class BuildLeftoversTest {
  // A uid of this test's own (no passwd entry), so no other process on the machine is touched.
  static final BuildUser LEFT = new BuildUser("leftover", 64917, 64917, Path.of("/"), false);

  @Test
  void everyProcessOfTheBuildUserIsKilledAndThePortIsFreeAgain() throws Exception {
    assumeTrue(BuildUser.current().uid() == 0, "only root can act as another user");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    // A listener on the port, and a loop that keeps forking sleeps.
    Process listener =
        asLeftover(
            "exec python3 -c 'import socket,time; s=socket.socket(); s.bind((\"127.0.0.1\","
                + port
                + ")); s.listen(); time.sleep(1000)'");
    Process forker = asLeftover("while true; do sleep 1000 & sleep 0.05; done");
    for (int i = 0; i < 100 && BuildLeftovers.processes(LEFT.uid()).size() < 3; i++) {
      Thread.sleep(50);
    }
    assertThat(BuildLeftovers.processes(LEFT.uid())).hasSizeGreaterThanOrEqualTo(3);
    List<String> log = new ArrayList<>();

    BuildLeftovers.kill(LEFT, log::add);

    assertThat(BuildLeftovers.processes(LEFT.uid())).isEmpty();
    assertThat(listener.isAlive()).isFalse();
    assertThat(forker.isAlive()).isFalse();
    assertThat(log).singleElement().asString().contains("of the build user leftover");
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      assertThat(s.getLocalPort()).isEqualTo(port);
    }
  }

  @Test
  void aProcessOfTheSameUidInAnotherPidNamespaceIsLeftAlone() throws Exception {
    assumeTrue(BuildUser.current().uid() == 0, "only root can act as another user");
    // A container's or a lab node's process that happens to have the build user's uid.
    Process other =
        new ProcessBuilder(
                "/usr/bin/unshare",
                "--pid",
                "--fork",
                "--kill-child",
                "--mount-proc",
                "--",
                "/usr/bin/setpriv",
                "--reuid=" + LEFT.uid(),
                "--regid=" + LEFT.gid(),
                "--clear-groups",
                "--",
                "/bin/sleep",
                "1000")
            .directory(new java.io.File("/"))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      for (int i = 0; i < 100 && sleeping(other).isEmpty(); i++) {
        Thread.sleep(50);
      }
      assertThat(sleeping(other)).as("the other namespace's process runs").isNotEmpty();
      assertThat(BuildLeftovers.processes(LEFT.uid())).isEmpty();
      List<String> log = new ArrayList<>();

      BuildLeftovers.kill(LEFT, log::add);

      assertThat(sleeping(other)).isNotEmpty();
      assertThat(log).isEmpty();
    } finally {
      other.descendants().forEach(ProcessHandle::destroyForcibly);
      other.destroyForcibly();
    }
  }

  @Test
  void aListenerTheBuildUserHidInNamespacesOfItsOwnIsKilledToo() throws Exception {
    assumeTrue(BuildUser.current().uid() == 0, "only root can act as another user");
    // An older server's build (no namespace) that put a process into a user and PID namespace it
    // made itself: its PID namespace is not the server's, its user namespace tells it is the uid's.
    Process hidden =
        asLeftover(
            "exec /usr/bin/unshare --user --map-current-user --pid --fork -- /bin/sleep 1000");
    for (int i = 0; i < 100 && sleeping(hidden).isEmpty(); i++) {
      Thread.sleep(50);
    }
    assumeTrue(!sleeping(hidden).isEmpty(), "this machine lets no user make a namespace");
    long pid = sleeping(hidden).get(0).pid();
    assertThat(BuildLeftovers.processes(LEFT.uid())).contains(pid);
    List<String> log = new ArrayList<>();

    BuildLeftovers.kill(LEFT, log::add);

    assertThat(BuildLeftovers.processes(LEFT.uid())).isEmpty();
    assertThat(log).singleElement().asString().contains("of the build user leftover");
  }

  private static List<ProcessHandle> sleeping(Process unshare) {
    return unshare
        .descendants()
        .filter(p -> p.info().command().orElse("").endsWith("/sleep"))
        .toList();
  }

  @Test
  void withNothingLeftNothingIsSaid() throws Exception {
    List<String> log = new ArrayList<>();

    BuildLeftovers.kill(LEFT, log::add);

    assertThat(log).isEmpty();
  }

  private static Process asLeftover(String script) throws Exception {
    return new ProcessBuilder(
            "/usr/bin/setpriv",
            "--reuid=" + LEFT.uid(),
            "--regid=" + LEFT.gid(),
            "--clear-groups",
            "--",
            "/bin/sh",
            "-c",
            script)
        .directory(new java.io.File("/"))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
  }
}
