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
  // The same uid as a server run as that user sees itself.
  static final BuildUser LEFT_SELF = new BuildUser("leftover", 64917, 64917, Path.of("/"), true);

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
    for (int i = 0; i < 100 && BuildLeftovers.processes(LEFT.uid(), true).size() < 3; i++) {
      Thread.sleep(50);
    }
    assertThat(BuildLeftovers.processes(LEFT.uid(), true)).hasSizeGreaterThanOrEqualTo(3);
    List<String> log = new ArrayList<>();

    BuildLeftovers.kill(LEFT, true, log::add);

    assertThat(BuildLeftovers.processes(LEFT.uid(), true)).isEmpty();
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
        inContainer(
            "/usr/bin/setpriv --reuid="
                + LEFT.uid()
                + " --regid="
                + LEFT.gid()
                + " --clear-groups -- /bin/sleep 1000 & wait");
    try {
      started(other, "/sleep");
      assertThat(running(other, "/sleep")).as("the other namespace's process runs").isNotEmpty();
      assertThat(BuildLeftovers.processes(LEFT.uid(), true)).isEmpty();
      List<String> log = new ArrayList<>();

      BuildLeftovers.kill(LEFT, true, log::add);

      assertThat(running(other, "/sleep")).isNotEmpty();
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
    started(hidden, "/sleep");
    assumeTrue(!running(hidden, "/sleep").isEmpty(), "this machine lets no user make a namespace");
    long pid = running(hidden, "/sleep").get(0).pid();
    assertThat(BuildLeftovers.processes(LEFT.uid(), true)).contains(pid);
    List<String> log = new ArrayList<>();

    BuildLeftovers.kill(LEFT, true, log::add);

    assertThat(BuildLeftovers.processes(LEFT.uid(), true)).isEmpty();
    assertThat(log).singleElement().asString().contains("of the build user leftover");
  }

  @Test
  void aServerAsTheBuildUserKillsOnlyWhatItsBuildsLeftInNamespacesOfTheirOwn() throws Exception {
    assumeTrue(BuildUser.current().uid() == 0, "only root can act as another user");
    // A server run as the build user: its build's init shed its death signal and outlived it,
    // in the user and PID namespace the build got. The user's other processes (the server's
    // own, a git push) are in the server's namespaces and stay.
    Process build =
        asLeftover(
            "exec /usr/bin/unshare --user --map-current-user --pid --fork -- /usr/bin/python3 -c"
                + " 'import ctypes, time; ctypes.CDLL(None).prctl(1, 0); time.sleep(1000)'");
    Process other = asLeftover("exec sleep 1000");
    try {
      started(build, "python3");
      assumeTrue(
          !running(build, "python3").isEmpty(), "this machine lets no user make a namespace");
      long init = running(build, "python3").get(0).pid();
      assertThat(BuildLeftovers.processes(LEFT.uid(), false)).containsExactly(init);
      List<String> log = new ArrayList<>();

      BuildLeftovers.kill(LEFT_SELF, false, log::add);

      assertThat(BuildLeftovers.processes(LEFT.uid(), false)).isEmpty();
      assertThat(other.isAlive()).isTrue();
      assertThat(log).singleElement().asString().contains("killed 1 process(es)");
    } finally {
      build.descendants().forEach(ProcessHandle::destroyForcibly);
      build.destroyForcibly();
      other.destroyForcibly();
    }
  }

  @Test
  void theUidsProcessesInsideAContainersOwnNamespacesAreLeftAlone() throws Exception {
    assumeTrue(BuildUser.current().uid() == 0, "only root can act as another user");
    // A lab node or container (a PID namespace whose init is root's) whose own hoist-mode server
    // runs a build in namespaces of its own (the uid's unshare in the node's PID namespace and a
    // user namespace it made; the build two levels down): not this server's.
    Process node =
        inContainer(
            "/usr/bin/setpriv --reuid="
                + LEFT.uid()
                + " --regid="
                + LEFT.gid()
                + " --clear-groups -- /usr/bin/unshare --user --map-current-user --pid"
                + " --fork -- /bin/sleep 1000 & wait");
    try {
      started(node, "/sleep");
      assumeTrue(!running(node, "/sleep").isEmpty(), "this machine lets no user make a namespace");

      assertThat(BuildLeftovers.processes(LEFT.uid(), true)).isEmpty();
      assertThat(BuildLeftovers.processes(LEFT.uid(), false)).isEmpty();
    } finally {
      node.descendants().forEach(ProcessHandle::destroyForcibly);
      node.destroyForcibly();
    }
  }

  /** {@code script} run by root's sh as the init of a PID namespace of its own: a container. */
  private static Process inContainer(String script) throws Exception {
    return new ProcessBuilder(
            "/usr/bin/unshare",
            "--pid",
            "--fork",
            "--kill-child",
            "--mount-proc",
            "--",
            "/bin/sh",
            "-c",
            script)
        .directory(new java.io.File("/"))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  /** Waits up to 5 s for a descendant of {@code p} whose command holds {@code name}. */
  private static void started(Process p, String name) throws InterruptedException {
    for (int i = 0; i < 100 && running(p, name).isEmpty(); i++) {
      Thread.sleep(50);
    }
  }

  private static List<ProcessHandle> running(Process p, String name) {
    return p.descendants().filter(h -> h.info().command().orElse("").contains(name)).toList();
  }

  @Test
  void withNothingLeftNothingIsSaid() throws Exception {
    List<String> log = new ArrayList<>();

    BuildLeftovers.kill(LEFT, true, log::add);

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
