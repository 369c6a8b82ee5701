package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * hoist lab for real: two nodes over OpenSSH, their users and sudo, PTYs, network, a power cut, a
 * clean down.
 */
@TestMethodOrder(OrderAnnotation.class)
class LabIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static List<LabNodes.Node> nodes;

  @BeforeAll
  static void up() throws Exception {
    // Starts from no nodes: another test class of this JVM (FleetIT) may have left three running,
    // and these tests count them.
    LabNodes.down();
    nodes = LabNodes.up(2);
  }

  @Test
  @Order(1)
  void eachNodeAnswersWithItsNameUnderStrictHostKeyChecking() throws Exception {
    assertThat(nodes).extracting(LabNodes.Node::name).containsExactly("lab1", "lab2");
    for (LabNodes.Node n : nodes) {
      Hoist.Result r = LabNodes.ssh("root", n, "hostname");
      assertThat(r.exit()).as(r.all()).isZero();
      assertThat(r.out().strip()).isEqualTo(n.name());
    }
  }

  @Test
  @Order(2)
  void eachNodeHasItsOwnSmallDisk() throws Exception {
    Hoist.Result r = LabNodes.ssh("root", nodes.get(0), "df", "--output=size,target", "-B1M", "/");
    assertThat(r.exit()).as(r.all()).isZero();
    long mib =
        Long.parseLong(r.out().lines().skip(1).findFirst().orElseThrow().strip().split("\\s+")[0]);
    assertThat(mib).isBetween(2000L, 2100L);
  }

  @Test
  @Order(3)
  void deployHasPasswordlessSudoAndGuardedIsAskedForAPassword() throws Exception {
    Hoist.Result deploy = LabNodes.ssh("deploy", nodes.get(0), "sudo", "-n", "true");
    assertThat(deploy.exit()).as(deploy.all()).isZero();
    Hoist.Result guarded = LabNodes.ssh("guarded", nodes.get(1), "sudo", "-n", "true");
    assertThat(guarded.exit()).isNotZero();
    assertThat(guarded.err()).contains("a password is required");
  }

  @Test
  @Order(4)
  void aPtyWorks() throws Exception {
    Hoist.Result r = LabNodes.ssh(List.of("-tt"), "root", nodes.get(0), "tty");
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).startsWith("/dev/pts/");
  }

  @Test
  @Order(5)
  void nodesReachEachOtherByNameAndAddressAndTheHostOnTheBridge() throws Exception {
    // bash's /dev/tcp reads sshd's greeting: no curl or ping needed.
    for (String target : List.of("lab2", "10.213.77.12")) {
      Hoist.Result r =
          LabNodes.ssh(
              "root",
              nodes.get(0),
              "timeout",
              "5",
              "bash",
              "-c",
              "'exec 3<>/dev/tcp/" + target + "/22 && head -c 4 <&3'");
      assertThat(r.out()).as(target + ": " + r.all()).isEqualTo("SSH-");
    }
    try (ServerSocket host = new ServerSocket(0, 1, InetAddress.getByName("10.213.77.1"))) {
      CompletableFuture<String> heard =
          CompletableFuture.supplyAsync(
              () -> {
                try (Socket s = host.accept()) {
                  return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                  return e.toString();
                }
              });
      Hoist.Result r =
          LabNodes.ssh(
              "root",
              nodes.get(1),
              "timeout",
              "5",
              "bash",
              "-c",
              "'echo hello from lab2 > /dev/tcp/hoist-lab-host/" + host.getLocalPort() + "'");
      assertThat(r.exit()).as(r.all()).isZero();
      assertThat(heard.get(10, TimeUnit.SECONDS)).isEqualTo("hello from lab2\n");
    }
  }

  @Test
  @Order(6)
  void aptInsideANodeReachesTheArchiveThroughNat() throws Exception {
    Hoist.Result r = LabNodes.ssh("root", nodes.get(0), "apt-get", "-q", "update");
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.all()).doesNotContain("Failed to fetch");
  }

  @Test
  @Order(7)
  void theHostsAgentNeitherCountsNorWakesTheNodesRunsvdir() throws Exception {
    // The nodes' runsvdirs show in the host's /proc; an agent that took one for its own waited
    // 12 s for a service no runsvdir of the host would ever pick up (CI, 2026-11-24).
    Path agent = Path.of("target/classes/dev/hoist/node/agent.py").toAbsolutePath();
    String nodeRunsvdirs =
        Hoist.sh(
            "for p in $(pgrep -x runsvdir); do [ \"$(readlink /proc/$p/root)\" != / ] && echo $p; done");
    assertThat(nodeRunsvdirs.lines().count()).as("one runsvdir per lab node").isEqualTo(2);
    String seen =
        Hoist.sh(
            "python3 -c 'import sys; sys.path.insert(0, \""
                + agent.getParent()
                + "\"); import agent; print(*agent.runsvdir_pids())'");
    for (String pid : nodeRunsvdirs.lines().toList()) {
      assertThat(seen.split("\\s+")).as("the host agent's runsvdirs").doesNotContain(pid);
    }
  }

  @Test
  @Order(8)
  void upPrintsATableAndANodesBlockForTheChosenUser() throws Exception {
    Hoist.Result r = Hoist.run("lab", "up", "2", "--user", "deploy");
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out())
        .contains("lab1    10.213.77.11   runit    running")
        .contains(LabNodes.nodesYaml("deploy"))
        .contains(
            "  lab2: {host: 10.213.77.12, user: deploy, key: /var/lib/hoist-lab/id_ed25519,"
                + " known_hosts: /var/lib/hoist-lab/known_hosts}");
    assertThat(r.err()).doesNotContain("started");
  }

  @Test
  @Order(9)
  void aStoppedNodeComesBackWithItsDisk() throws Exception {
    assertThat(
            LabNodes.ssh("root", nodes.get(1), "sh", "-c", "'echo kept > /root/before-the-cut'")
                .exit())
        .isZero();
    assertThat(states()).containsExactly("lab1=running", "lab2=running");
    long pid = pids().get(1);
    LabNodes.stop("lab2");
    assertThat(states()).containsExactly("lab1=running", "lab2=stopped");
    assertThat(alive(pid)).isFalse();
    nodes = LabNodes.up(2);
    assertThat(states()).containsExactly("lab1=running", "lab2=running");
    Hoist.Result r = LabNodes.ssh("root", nodes.get(1), "cat", "/root/before-the-cut");
    assertThat(r.out()).as(r.all()).isEqualTo("kept\n");
  }

  @Test
  @Order(10)
  void downLeavesNoMountNamespaceOrProcessBehind() throws Exception {
    List<Long> pids = pids();
    Hoist.Result r = LabNodes.down();
    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(Files.readString(Path.of("/proc/self/mountinfo")))
        .doesNotContain("/run/hoist-lab")
        .doesNotContain("/var/lib/hoist-lab");
    assertThat(Hoist.sh("ip netns list")).doesNotContain("hoist-lab");
    assertThat(Hoist.sh("ip -br link")).doesNotContain("hoistlab0").doesNotContain("hl-lab");
    assertThat(Hoist.sh("nft list tables")).doesNotContain("hoist_lab");
    for (long pid : pids) {
      assertThat(alive(pid)).as("pid " + pid).isFalse();
    }
    assertThat(Path.of("/var/lib/hoist-lab/base/etc/hoist-lab-base")).exists();
    assertThat(Path.of("/var/lib/hoist-lab/known_hosts")).exists();
  }

  @Test
  @Order(11)
  void notRootIsRefusedWithWhatToDo() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String jar =
        Path.of(System.getProperty("hoist.jar", "target/hoist.jar")).toAbsolutePath().toString();
    String out =
        Hoist.sh(
            "cd / && NO_COLOR=1 runuser -u nobody -- "
                + java
                + " -jar "
                + jar
                + " lab up 1; echo exit=$?");
    assertThat(out).contains("must run as root").contains("sudo hoist lab").contains("exit=1");
  }

  private static List<String> states() throws Exception {
    List<String> states = new ArrayList<>();
    for (JsonNode n : ls()) {
      states.add(n.get("name").asText() + "=" + n.get("state").asText());
    }
    return states;
  }

  private static List<Long> pids() throws Exception {
    List<Long> pids = new ArrayList<>();
    for (JsonNode n : ls()) {
      pids.add(n.get("pid").asLong());
    }
    return pids;
  }

  private static JsonNode ls() throws Exception {
    Hoist.Result r = Hoist.run("lab", "ls", "--json");
    assertThat(r.exit()).as(r.all()).isZero();
    return JSON.readTree(r.out());
  }

  /** A zombie has died: this machine's PID 1 reaps orphans late. */
  static boolean alive(long pid) throws Exception {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    if (!Files.exists(stat)) {
      return false;
    }
    String s = Files.readString(stat);
    char state = s.charAt(s.lastIndexOf(')') + 2);
    return state != 'Z' && state != 'X';
  }
}
