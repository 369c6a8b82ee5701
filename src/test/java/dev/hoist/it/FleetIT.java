package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deploys to three lab nodes over real SSH (OpenSSH in each node), in parallel: examples served by
 * each node's nginx, no-op reruns, exec output per node, an unreachable node, a changed host key,
 * sudo that wants a password, and a node whose power is cut in the middle of a deploy.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  static List<LabNodes.Node> nodes;

  @BeforeAll
  static void lab() throws Exception {
    nodes = LabNodes.up(3);
  }

  /** The example under a new name, with the lab's nodes and {@code environments} appended. */
  static Path project(String example, String fromApp, String app, String user, String environments)
      throws Exception {
    Path project = Hoist.copyExample(example, fromApp, app, tmp);
    Path yml = project.resolve("hoist.yml");
    Files.writeString(
        yml, Files.readString(yml) + "\n" + LabNodes.nodesYaml(user) + "\n" + environments);
    return project;
  }

  static JsonNode json(Hoist.Result r) throws Exception {
    return JSON.readTree(r.out());
  }

  static JsonNode node(JsonNode fleet, String name) {
    for (JsonNode n : fleet.path("nodes")) {
      if (n.path("node").asText().equals(name)) {
        return n;
      }
    }
    throw new AssertionError("no node " + name + " in " + fleet);
  }

  @Test
  @Order(1)
  void helloGoesToThreeNodesAndARerunChangesNothing() throws Exception {
    Path project =
        project(
            "hello", "hello", "fleethello", "root", "environments:\n  lab: [lab1, lab2, lab3]\n");

    Hoist.Result first = Hoist.run("deploy", project.toString(), "--env", "lab");
    assertThat(first.exit()).as(first.all()).isZero();
    assertThat(first.out()).contains("3 of 3 nodes deployed");
    for (LabNodes.Node n : nodes) {
      Http.Response r = Http.get(n.address(), "fleethello.test", "/");
      assertThat(r.status()).as(n.name()).isEqualTo(200);
      assertThat(r.body()).contains("Hello");
    }

    Hoist.Result again = Hoist.run("deploy", project.toString(), "--env", "lab", "--json");
    assertThat(again.exit()).as(again.all()).isZero();
    JsonNode fleet = json(again);
    assertThat(fleet.path("ok").asBoolean()).isTrue();
    for (LabNodes.Node n : nodes) {
      JsonNode report = node(fleet, n.name()).path("result");
      assertThat(report.path("changes")).as(n.name()).isEmpty();
      assertThat(report.path("newRelease").isNull()).as(n.name()).isTrue();
      // A no-op costs one SSH round trip per node: the probe.
      assertThat(report.path("roundTrips").asInt()).as(n.name()).isEqualTo(1);
    }
    String release = node(fleet, "lab1").path("result").path("live").asText();
    assertThat(node(fleet, "lab3").path("result").path("live").asText()).isEqualTo(release);

    Hoist.Result status = Hoist.run("status", project.toString(), "--env", "lab");
    assertThat(status.exit()).as(status.all()).isZero();
    assertThat(status.out())
        .contains("fleethello on lab1: release " + release)
        .contains("fleethello on lab3: release " + release);
  }

  @Test
  @Order(2)
  void execPrintsEachNodesOutputWithItsExitCode() throws Exception {
    Path project =
        project(
            "hello", "hello", "fleetexec", "root", "environments:\n  lab: [lab1, lab2, lab3]\n");

    Hoist.Result r =
        Hoist.run("exec", project.toString(), "--env", "lab", "--", "sh", "-c", "hostname; exit 0");
    assertThat(r.exit()).as(r.all()).isZero();
    for (LabNodes.Node n : nodes) {
      assertThat(r.out()).contains("== " + n.name() + " exit 0").contains("\n" + n.name() + "\n");
    }

    Hoist.Result failing =
        Hoist.run(
            "exec",
            project.toString(),
            "--env",
            "lab",
            "--node",
            "lab2",
            "--json",
            "--",
            "sh",
            "-c",
            "echo oops >&2; exit 7");
    assertThat(failing.exit()).isEqualTo(1);
    JsonNode lab2 = node(json(failing), "lab2").path("result");
    assertThat(lab2.path("exitCode").asInt()).isEqualTo(7);
    assertThat(lab2.path("stderr").asText()).isEqualTo("oops\n");
  }

  @Test
  @Order(3)
  void flaskDeploysAsANonRootUserThroughSudo() throws Exception {
    Path project =
        project(
            "flask",
            "flaskapp",
            "fleetflask",
            "deploy",
            "environments:\n  lab: [lab1, lab2, lab3]\n");

    Hoist.Result r = Hoist.run("deploy", project.toString(), "--env", "lab");
    assertThat(r.exit()).as(r.all()).isZero();
    for (LabNodes.Node n : nodes) {
      assertThat(Http.get(n.address(), "fleetflask.test", "/").status())
          .as(n.name())
          .isEqualTo(200);
      assertThat(Http.get(n.address(), "fleetflask.test", "/static/style.css").status())
          .isEqualTo(200);
    }
  }

  @Test
  @Order(4)
  void anUnreachableNodeIsReportedWhileTheOthersSucceed() throws Exception {
    Path project =
        project(
            "hello",
            "hello",
            "fleetghost",
            "root",
            """
        environments:
          lab: [lab1, lab2, ghost]
        """);
    // Nothing answers at this lab address; a short timeout keeps the test quick.
    Path yml = project.resolve("hoist.yml");
    Files.writeString(
        yml,
        Files.readString(yml)
            .replace("nodes:\n", "nodes:\n  ghost: {host: 10.213.77.250, connect_timeout: 2s}\n"));

    long start = System.nanoTime();
    Hoist.Result r = Hoist.run("deploy", project.toString(), "--env", "lab");
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);

    assertThat(r.exit()).as(r.all()).isEqualTo(3);
    assertThat(r.out())
        .containsPattern("lab1\\s+ok")
        .containsPattern("lab2\\s+ok")
        .containsPattern("ghost\\s+unreachable")
        .contains("2 of 3 nodes deployed");
    assertThat(seconds).as("a dead node must time out, not hang").isLessThan(30);
  }

  @Test
  @Order(5)
  void aChangedHostKeyAWrongKeyAndSudoWithAPasswordAreRefused() throws Exception {
    Path project =
        project(
            "hello", "hello", "fleetkeys", "root", "environments:\n  lab: [lab1, lab2, lab3]\n");
    // lab2's entries in a copy of known_hosts become another server's key: what a man in the middle
    // looks like. (A still-matching key of another type would rightly be accepted, as OpenSSH
    // does.)
    Path known = tmp.resolve("known_hosts_changed");
    Path other = tmp.resolve("otherkey");
    Hoist.sh("ssh-keygen -q -t ed25519 -N '' -f " + other);
    String otherKey = Files.readString(Path.of(other + ".pub")).split(" ")[1];
    List<String> lines = new ArrayList<>();
    for (String line : Files.readAllLines(LabNodes.knownHosts())) {
      String[] f = line.split(" ");
      boolean lab2 = List.of(f[0].split(",")).contains(nodes.get(1).address());
      if (!lab2) {
        lines.add(line);
      } else if (f[1].equals("ssh-ed25519")) {
        lines.add(f[0] + " ssh-ed25519 " + otherKey);
      }
    }
    Files.write(known, lines);
    Path yml = project.resolve("hoist.yml");
    String spec = Files.readString(yml);
    String lab2 = spec.lines().filter(l -> l.startsWith("  lab2:")).findFirst().orElseThrow();
    spec = spec.replace(lab2, lab2.replace(LabNodes.knownHosts().toString(), known.toString()));
    String lab1 = spec.lines().filter(l -> l.startsWith("  lab1:")).findFirst().orElseThrow();
    spec = spec.replace(lab1, lab1.replace("user: root", "user: guarded"));
    String lab3 = spec.lines().filter(l -> l.startsWith("  lab3:")).findFirst().orElseThrow();
    spec = spec.replace(lab3, lab3.replace(LabNodes.key().toString(), other.toString()));
    Files.writeString(yml, spec);

    Hoist.Result r = Hoist.run("deploy", project.toString(), "--env", "lab");

    assertThat(r.exit()).as(r.all()).isEqualTo(3);
    assertThat(r.out())
        .containsPattern("lab2\\s+HOST KEY CHANGED")
        .containsPattern("lab1\\s+sudo needs a password")
        .containsPattern("lab3\\s+auth refused");
    assertThat(r.out()).contains(known.toString());
  }

  @Test
  @Order(6)
  void aNodeLosingPowerMidDeployIsReportedAndARerunConverges() throws Exception {
    Path project =
        project("hello", "hello", "fleetcut", "root", "environments:\n  lab: [lab1, lab2, lab3]\n");
    // A dead node answers nothing, not even a reset: a short keepalive finds out soon.
    Path spec = project.resolve("hoist.yml");
    Files.writeString(
        spec, Files.readString(spec).replace("  lab3: {", "  lab3: {keepalive: 2s, "));
    Hoist.Result first = Hoist.run("deploy", project.toString(), "--env", "lab");
    assertThat(first.exit()).as(first.all()).isZero();
    // A slow before_activate hook gives time to cut lab3's power while its new release is prepared.
    Path yml = project.resolve("hoist.yml");
    Files.writeString(
        yml,
        Files.readString(yml)
            .replace("app: fleetcut", "app: fleetcut\nrelease:\n  before_activate: [sleep 3]"));

    Hoist.Watched deploy =
        Hoist.watch(
            "lab3: applying",
            process -> {
              Thread.sleep(1000);
              LabNodes.stop("lab3");
            },
            "deploy",
            project.toString(),
            "--env",
            "lab");
    StringBuilder out = deploy.out();
    assertThat(deploy.exit()).as(out.toString()).isNotZero();
    assertThat(out)
        .containsPattern("lab1\\s+ok")
        .containsPattern("lab2\\s+ok")
        .containsPattern("lab3\\s+(connection lost|FAILED|unreachable)");

    nodes = LabNodes.up(3);
    Hoist.Result rerun = Hoist.run("deploy", project.toString(), "--env", "lab", "--json");
    assertThat(rerun.exit()).as(rerun.all()).isZero();
    JsonNode fleet = json(rerun);
    // lab3 makes its own release of the same code (same hash, a later time) in the rerun.
    String release = node(fleet, "lab1").path("result").path("live").asText();
    String hash = release.substring(release.lastIndexOf('-'));
    assertThat(node(fleet, "lab3").path("result").path("live").asText()).endsWith(hash);
    assertThat(Http.get(nodes.get(2).address(), "fleetcut.test", "/").status()).isEqualTo(200);
  }

  @Test
  @Order(7)
  void ctrlCLetsWorkingNodesFinishAndSkipsTheRest() throws Exception {
    Path project =
        project("hello", "hello", "fleetint", "root", "environments:\n  lab: [lab1, lab2, lab3]\n");
    Hoist.Result first = Hoist.run("deploy", project.toString(), "--env", "lab");
    assertThat(first.exit()).as(first.all()).isZero();
    Path yml = project.resolve("hoist.yml");
    Files.writeString(
        yml,
        Files.readString(yml)
            .replace("app: fleetint", "app: fleetint\nrelease:\n  before_activate: [sleep 2]"));
    Hoist.replace(project.resolve("hello.py"), "version 1", "version 2");

    // One node at a time, so Ctrl-C lands while lab1 deploys and lab2, lab3 wait their turn.
    Hoist.Watched deploy =
        Hoist.watch(
            "lab1: applying",
            process -> Hoist.sh("kill -INT " + process.pid()),
            "deploy",
            project.toString(),
            "--env",
            "lab",
            "--parallel",
            "1");
    StringBuilder out = deploy.out();
    assertThat(deploy.exit()).as(out.toString()).isEqualTo(130);
    assertThat(out)
        .contains("interrupted: letting every node reach a safe point")
        .containsPattern("lab1\\s+ok")
        .containsPattern("lab2\\s+skipped")
        .containsPattern("lab3\\s+skipped")
        .contains("1 of 3 nodes deployed");
    assertThat(Http.get(nodes.get(0).address(), "fleetint.test", "/").body()).contains("version 2");
    assertThat(Http.get(nodes.get(1).address(), "fleetint.test", "/").body()).contains("version 1");
    assertThat(Http.get(nodes.get(2).address(), "fleetint.test", "/").body()).contains("version 1");
  }

  @Test
  @Order(8)
  void aFullDiskFailsThatNodeOnlyAndItKeepsServing() throws Exception {
    Path project =
        project("hello", "hello", "fleetfull", "root", "environments:\n  lab: [lab1, lab2]\n");
    Hoist.Result first = Hoist.run("deploy", project.toString(), "--env", "lab");
    assertThat(first.exit()).as(first.all()).isZero();
    Hoist.replace(project.resolve("hello.py"), "version 1", "version 2");
    // Each lab node's disk is a 2 GiB tmpfs: fill lab2's.
    Hoist.Result fill =
        Hoist.run(
            "exec",
            project.toString(),
            "--env",
            "lab",
            "--node",
            "lab2",
            "--",
            "sh",
            "-c",
            "fallocate -l 1900M /var/tmp/fill; dd if=/dev/zero of=/var/tmp/fill2 bs=1M 2>/dev/null; df -h /");
    assertThat(fill.out()).as(fill.all()).contains("100%");
    try {
      Hoist.Result r = Hoist.run("deploy", project.toString(), "--env", "lab");

      assertThat(r.exit()).as(r.all()).isEqualTo(1);
      assertThat(r.out())
          .containsPattern("lab1\\s+ok")
          .containsPattern("lab2\\s+FAILED")
          .containsPattern("lab2: .*(No space left on device|disk)");
      assertThat(Http.get(nodes.get(0).address(), "fleetfull.test", "/").body())
          .contains("version 2");
      assertThat(Http.get(nodes.get(1).address(), "fleetfull.test", "/").body())
          .contains("version 1");
    } finally {
      Hoist.run(
          "exec",
          project.toString(),
          "--env",
          "lab",
          "--node",
          "lab2",
          "--",
          "rm",
          "-f",
          "/var/tmp/fill",
          "/var/tmp/fill2");
    }
    Hoist.Result rerun = Hoist.run("deploy", project.toString(), "--env", "lab");
    assertThat(rerun.exit()).as(rerun.all()).isZero();
    assertThat(Http.get(nodes.get(1).address(), "fleetfull.test", "/").body())
        .contains("version 2");
  }
}
