package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.stack.SelfSigned;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rolling deploys on four lab nodes (lab1 the HAProxy load balancer, lab2-4 web nodes) under a
 * bounded, constant load through the balancer: no request may fail, and every answer is the old or
 * the new release. Covers a good release, a sick one, a canary, the lock, Ctrl-C between batches, a
 * node that dies during its switch, and an unreachable balancer.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RolloutIT {
  private static final String HOST = "rollhello.test";
  private static final String ENV = "live";

  @TempDir static Path tmp;
  static List<LabNodes.Node> nodes;
  static Path project;

  @BeforeAll
  static void lab() throws Exception {
    // Fresh nodes: another class's apps would hold port 80 on lab1, which HAProxy needs.
    LabNodes.down();
    nodes = LabNodes.up(4);
    project = Hoist.copyExample("hello", "hello", "rollhello", tmp);
    yml("rollout: {batch: 1, drain: 5s}\n");
  }

  @AfterAll
  static void down() throws Exception {
    // HAProxy holds port 80 on lab1: gone, so later classes get nodes they can deploy to.
    LabNodes.down();
  }

  static LabNodes.Node lb() {
    return nodes.get(0);
  }

  static List<LabNodes.Node> webs() {
    return nodes.subList(1, 4);
  }

  /**
   * The app: answers its version; its health check answers 500 on the nodes named in {@code sickOn}
   * ("*": all).
   */
  static void app(int version, String sickOn) throws Exception {
    app(version, sickOn, "");
  }

  /**
   * As {@link #app(int, String)}; on the nodes named in {@code slowOn} the health check takes 2 s.
   */
  static void app(int version, String sickOn, String slowOn) throws Exception {
    Files.writeString(
        project.resolve("hello.py"),
        """
        import os
        import socket
        import time

        BODY = "Hello from hoist! version %d\\n"
        SICK_ON = "%s"
        SLOW_ON = "%s"


        def application(environ, start_response):
            if environ.get("PATH_INFO") == "/healthz":
                if socket.gethostname() in SLOW_ON.split(","):
                    time.sleep(2)
                sick = SICK_ON == "*" or socket.gethostname() in SICK_ON.split(",")
                status, body = ("500 Oops", "sick\\n") if sick else ("200 OK", "ok\\n")
            else:
                status, body = "200 OK", BODY + "release %%s\\n" %% os.environ.get("HOIST_RELEASE")
            data = body.encode()
            start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(data)))])
            return [data]
        """
            .formatted(version, sickOn, slowOn));
  }

  static void version(int n, boolean sick) throws Exception {
    app(n, sick ? "*" : "");
  }

  /** hoist.yml: the example's, the lab's nodes, the environment, and {@code extra}. */
  static void yml(String extra) throws Exception {
    Files.writeString(
        project.resolve("hoist.yml"),
        "app: rollhello\nwsgi: hello:application\ndomain: "
            + HOST
            + "\nhealth: {path: /healthz, contains: ok}\n"
            + LabNodes.nodesYaml("root")
            + "\nenvironments:\n  live: {lb: [lab1], web: [lab2, lab3, lab4]}\n"
            + extra);
  }

  static Load load() {
    return Load.start("http://" + lb().address() + "/", HOST, 100, Duration.ofMinutes(2), 12_000);
  }

  /** The versions a load saw, e.g. [1, 2]. */
  static Set<String> versions(Load.Result r) {
    Set<String> out = new TreeSet<>();
    r.bodies().keySet().forEach(b -> out.add(b.replaceAll("(?s).*version ([0-9]+).*", "$1")));
    return out;
  }

  /** What a web node itself serves now (straight to its nginx, not through the balancer). */
  static String servedBy(LabNodes.Node node) throws Exception {
    Http.Response r = Http.get(node.address(), HOST, "/");
    return r.status() + " " + r.body().replaceAll("(?s).*version ([0-9]+).*", "$1");
  }

  static List<String> servedByWebs() throws Exception {
    List<String> out = new java.util.ArrayList<>();
    for (LabNodes.Node n : webs()) {
      out.add(servedBy(n));
    }
    return out;
  }

  static Hoist.Result deploy(String... extra) throws Exception {
    List<String> args =
        new java.util.ArrayList<>(List.of("deploy", project.toString(), "--env", ENV));
    args.addAll(List.of(extra));
    return Hoist.run(args.toArray(String[]::new));
  }

  @Test
  @Order(1)
  void theFirstDeploySetsUpTheBalancerAndServesThroughIt() throws Exception {
    version(1, false);

    Hoist.Result r = deploy();

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.err())
        .contains("starting lab2, lab3, lab4, which serve(s) nothing yet")
        .contains("lab1: HAProxy");
    Http.Response viaLb = Http.get(lb().address(), HOST, "/");
    assertThat(viaLb.status()).isEqualTo(200);
    assertThat(viaLb.body()).contains("version 1");
    Hoist.Result status = Hoist.run("status", project.toString(), "--env", ENV);
    assertThat(status.out())
        .as(status.all())
        .contains("balancer on lab1: 3 web node(s), 3 UP")
        .contains("hello on lab2")
        .doesNotContain("on lab1: release");
    assertThat(status.out().split("in the balancer: UP", -1)).hasSize(4);
  }

  @Test
  @Order(2)
  void aGoodReleaseRollsOutWithoutAFailedRequest() throws Exception {
    version(2, false);
    Load load = load();

    Hoist.Result r = deploy("--json");
    Load.Result seen = load.stop();

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).contains("\"outcome\" : \"done\"");
    assertThat(seen.failed()).as(seen.summary()).isZero();
    assertThat(versions(seen)).as(seen.summary()).isSubsetOf("1", "2").contains("2");
    assertThat(servedByWebs()).containsExactly("200 2", "200 2", "200 2");
  }

  @Test
  @Order(3)
  void aSickReleaseIsStoppedAtTheFirstBatchAndRolledBack() throws Exception {
    version(3, true);
    Load load = load();

    Hoist.Result r = deploy();
    Load.Result seen = load.stop();

    assertThat(r.exit()).as(r.all()).isEqualTo(1);
    assertThat(r.out())
        .contains("lab2  failed, rolled back")
        .contains("lab3  not switched")
        .contains(
            "batch 1 of 3 failed: lab2: health check GET http://rollhello.test/healthz failed: unhealthy 3 times in a row: HTTP 500");
    assertThat(seen.failed()).as(seen.summary()).isZero();
    assertThat(versions(seen)).as(seen.summary()).containsExactly("2");
    assertThat(servedByWebs()).containsExactly("200 2", "200 2", "200 2");
  }

  @Test
  @Order(4)
  void aCanaryStopsAfterOneNodeUntilContinued() throws Exception {
    version(4, false);

    Hoist.Result canary = deploy("--canary", "1");

    assertThat(canary.exit()).as(canary.all()).isZero();
    assertThat(canary.out())
        .contains("canary: lab2 serve(s)")
        .contains("hoist deploy --continue --env live");
    assertThat(servedByWebs()).containsExactly("200 4", "200 2", "200 2");
    Hoist.Result refused = deploy();
    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err()).contains("a canary of").contains("waits on lab2");

    Hoist.Result rest = deploy("--continue");

    assertThat(rest.exit()).as(rest.all()).isZero();
    assertThat(rest.out())
        .contains("lab2  unchanged")
        .contains("lab3  switched")
        .contains("lab4  switched");
    assertThat(servedByWebs()).containsExactly("200 4", "200 4", "200 4");
  }

  @Test
  @Order(5)
  void theLockRefusesASecondDeployWhileOneRuns() throws Exception {
    version(5, false);
    // A run_once hook holds the first deploy for 5 s, inside its lock, however slow the machine.
    yml("rollout: {batch: 1, drain: 5s}\nrelease: {run_once: ['sleep 5']}\n");
    Hoist.Result[] second = new Hoist.Result[1];

    Hoist.Watched first =
        Hoist.watch(
            "run_once hooks on lab2",
            process -> second[0] = deploy(),
            "deploy",
            project.toString(),
            "--env",
            ENV);
    yml("rollout: {batch: 1, drain: 5s}\n");

    assertThat(first.exit()).as(first.out().toString()).isZero();
    assertThat(second[0].exit()).as(second[0].all()).isEqualTo(1);
    assertThat(second[0].err())
        .contains("another deploy of live is running: its lock on lab1 is held by")
        .contains("(hoist deploy --env live)");
    assertThat(servedByWebs()).containsExactly("200 5", "200 5", "200 5");
  }

  @Test
  @Order(6)
  void aStaleLockIsRefusedWithItsHolderAndBrokenByUnlock() throws Exception {
    LabNodes.ssh(
        "root",
        lb(),
        "sh",
        "-c",
        "'mkdir -p /var/lib/hoist/locks && echo "
            + "\"{\\\"by\\\": \\\"ci@gone\\\", \\\"since\\\": \\\"2026-01-01T00:00:00Z\\\", \\\"command\\\": \\\"hoist deploy\\\"}\""
            + " > /var/lib/hoist/locks/rollhello.live.json'");

    Hoist.Result refused = deploy();
    Hoist.Result unlock = Hoist.run("unlock", project.toString(), "--env", ENV, "--yes");
    Hoist.Result after = deploy();

    assertThat(refused.exit()).isEqualTo(1);
    assertThat(refused.err()).contains("held by ci@gone since 2026-01-01T00:00:00Z");
    assertThat(unlock.exit()).as(unlock.all()).isZero();
    assertThat(unlock.err()).contains("held by ci@gone").contains("Break it only if");
    assertThat(after.exit()).as(after.all()).isZero();
    assertThat(servedByWebs()).containsExactly("200 5", "200 5", "200 5");
  }

  @Test
  @Order(7)
  void aReleaseThatDoesNotImportStopsBeforeAnyNodeSwitches() throws Exception {
    Files.writeString(project.resolve("broken.py"), "import no_such_module\n");
    Path app = project.resolve("hello.py");
    String good = Files.readString(app);
    Files.writeString(app, "import broken\n" + good);
    Load load = load();

    Hoist.Result r = deploy();
    Load.Result seen = load.stop();
    Files.writeString(app, good);
    Files.delete(project.resolve("broken.py"));

    assertThat(r.exit()).as(r.all()).isEqualTo(1);
    assertThat(r.out()).contains("preparing failed on lab2, lab3, lab4; no node was switched");
    assertThat(r.all()).contains("No module named 'no_such_module'");
    assertThat(seen.failed()).as(seen.summary()).isZero();
    assertThat(servedByWebs()).containsExactly("200 5", "200 5", "200 5");
  }

  @Test
  @Order(8)
  void runOnceHooksRunOnOneNodeBeforeAnySwitchAndAFailingOneStopsTheDeploy() throws Exception {
    yml("rollout: {batch: 1, drain: 5s}\nrelease: {run_once: ['sh -c \"exit 3\"']}\n");
    version(6, false);

    Hoist.Result failed = deploy();

    assertThat(failed.exit()).as(failed.all()).isEqualTo(1);
    assertThat(failed.out())
        .contains("a run_once hook failed on lab2")
        .contains("no node was switched");
    assertThat(servedByWebs()).containsExactly("200 5", "200 5", "200 5");

    yml(
        "rollout: {batch: 1, drain: 5s}\nrelease: {run_once: ['sh -c \"echo $HOIST_RELEASE >> /tmp/rollhello-migrated\"']}\n");
    Hoist.Result ok = deploy();

    assertThat(ok.exit()).as(ok.all()).isZero();
    assertThat(servedByWebs()).containsExactly("200 6", "200 6", "200 6");
    int ran = 0;
    for (LabNodes.Node n : webs()) {
      ran +=
          LabNodes.ssh("root", n, "cat", "/tmp/rollhello-migrated").out().lines().toList().size();
    }
    assertThat(ran).as("run_once hook runs").isEqualTo(1);
  }

  @Test
  @Order(9)
  void rollbackAllTakesEarlierBatchesBackWhenALaterOneFails() throws Exception {
    yml("rollout: {batch: 1, drain: 5s, on_failure: rollback_all}\n");
    app(7, "lab3");
    Load load = load();

    Hoist.Result r = deploy();
    Load.Result seen = load.stop();

    assertThat(r.exit()).as(r.all()).isEqualTo(1);
    assertThat(r.out())
        .contains("lab2  rolled back")
        .contains("lab3  failed, rolled back")
        .contains("lab4  not switched")
        .contains("rollback_all put every switched node back");
    assertThat(seen.failed()).as(seen.summary()).isZero();
    assertThat(versions(seen)).isSubsetOf("6", "7");
    assertThat(servedByWebs()).containsExactly("200 6", "200 6", "200 6");
  }

  @Test
  @Order(10)
  void activateSwitchesOneNodeByHand() throws Exception {
    yml("rollout: {batch: 1, drain: 5s}\n");
    Hoist.Result releases =
        Hoist.run("releases", project.toString(), "--env", ENV, "--node", "lab4", "--json");
    String five =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(releases.out())
            .path("nodes")
            .path(0)
            .path("result")
            .path("previous")
            .asText();
    assertThat(five).as(releases.all()).isNotEmpty();

    Hoist.Result r =
        Hoist.run("activate", project.toString(), five, "--env", ENV, "--node", "lab4");

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).contains("activated " + five + " on lab4");
    assertThat(servedByWebs()).containsExactly("200 6", "200 6", "200 5");
  }

  @Test
  @Order(11)
  void ctrlCBetweenBatchesLeavesEveryNodeServingAndInTheBalancer() throws Exception {
    version(8, false);
    Load load = load();

    // Batch 1 takes about a second: the signal lands inside it, which must finish and go back in.
    Hoist.Watched deploy =
        Hoist.watch(
            "batch 1/3: lab2",
            process -> Hoist.sh("kill -INT " + process.pid()),
            "deploy",
            project.toString(),
            "--env",
            ENV);
    Load.Result seen = load.stop();

    assertThat(deploy.exit()).as(deploy.out().toString()).isEqualTo(130);
    // Normally batch 1 is still running when the signal lands; on a slow machine it may be batch 2.
    assertThat(deploy.out().toString())
        .containsPattern("interrupted: batch [23] of 3 and later were not started");
    assertThat(seen.failed()).as(seen.summary()).isZero();
    List<String> served = servedByWebs();
    assertThat(served.get(0)).isEqualTo("200 8");
    assertThat(served.get(1)).isIn("200 8", "200 6");
    assertThat(served.get(2)).isEqualTo("200 5");
    Hoist.Result status = Hoist.run("status", project.toString(), "--env", ENV);
    assertThat(status.out()).as(status.all()).contains("3 web node(s), 3 UP");
    assertThat(deploy().exit()).isZero();
    assertThat(servedByWebs()).containsExactly("200 8", "200 8", "200 8");
  }

  @Test
  @Order(12)
  void aNodeThatDiesDuringItsSwitchStopsTheRolloutAndNoRequestFails() throws Exception {
    // lab3's health check takes 2 s: its switch lasts seconds, and the power cut lands inside it.
    app(9, "", "lab3");
    Load load = load();

    Hoist.Watched deploy =
        Hoist.watch(
            "batch 2/3: lab3",
            process -> LabNodes.stop("lab3"),
            "deploy",
            project.toString(),
            "--env",
            ENV);
    Load.Result seen = load.stop();

    assertThat(deploy.exit()).as(deploy.out().toString()).isEqualTo(1);
    assertThat(deploy.out().toString()).contains("batch 2 of 3 failed: lab3");
    assertThat(seen.failed()).as(seen.summary()).isZero();
    assertThat(versions(seen)).isSubsetOf("8", "9");
    nodes = LabNodes.up(4);
    awaitServing(nodes.get(2));
  }

  /** A restarted node's runit brings nginx and the app back; wait (bounded) until it answers. */
  static void awaitServing(LabNodes.Node node) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String last = "";
    while (System.nanoTime() < end) {
      try {
        Http.Response r = Http.get(node.address(), HOST, "/");
        if (r.status() == 200) {
          return;
        }
        last = "HTTP " + r.status();
      } catch (java.io.IOException e) {
        last = e.toString();
      }
      Thread.sleep(200);
    }
    throw new AssertionError(node.name() + " does not serve 30 s after it came back: " + last);
  }

  @Test
  @Order(13)
  void anUnreachableBalancerIsRefusedBeforeAnythingChanges() throws Exception {
    version(10, false);
    List<String> before = servedByWebs();
    LabNodes.stop("lab1");

    Hoist.Result r = deploy();

    assertThat(r.exit()).as(r.all()).isEqualTo(3);
    assertThat(r.err())
        .contains("cannot reach every node of the rollout, so nothing was changed")
        .contains("lab1 (lb): unreachable");
    assertThat(servedByWebs()).isEqualTo(before);
    nodes = LabNodes.up(4);
  }

  @Test
  @Order(14)
  void theAppSeesTheClientAndItsSchemeThroughTheBalancerAndNothingAClientForges() throws Exception {
    // The example's app, which answers /forwarded with the X-Forwarded-* it got.
    Files.copy(
        Path.of(System.getProperty("hoist.root", "."), "examples", "hello", "hello.py"),
        project.resolve("hello.py"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    yml("rollout: {batch: 1, drain: 5s}\n");
    assertThat(deploy().exit()).isZero();
    // X-Forwarded-Ssl: gunicorn would take it for https from nginx, its trusted Unix-socket peer.
    String[] forged = {
      "X-Forwarded-For: 6.6.6.6", "X-Forwarded-Proto: https", "X-Forwarded-Ssl: on"
    };

    // Through HAProxy: this machine's address on the lab bridge, not lab1's, nor the forged one.
    assertThat(forwarded(lb(), forged)).isEqualTo("200 for=" + CLIENT + " proto=http scheme=http");
    // Straight to a web node: its own scheme and the peer's address.
    assertThat(forwarded(webs().get(0), forged))
        .isEqualTo("200 for=" + CLIENT + " proto=http scheme=http");

    // The web nodes answer only HAProxy, and themselves.
    String yml = Files.readString(project.resolve("hoist.yml"));
    Files.writeString(
        project.resolve("hoist.yml"), yml.replace("lb: [lab1]", "lb: {node: lab1, only: true}"));
    Hoist.Result only = deploy();
    assertThat(only.exit()).as(only.all()).isZero();

    assertThat(forwarded(lb(), forged)).isEqualTo("200 for=" + CLIENT + " proto=http scheme=http");
    for (LabNodes.Node web : webs()) {
      assertThat(Http.get(web.address(), HOST, "/healthz").status()).as(web.name()).isEqualTo(403);
      // hoist's own health checks run on the node, against 127.0.0.1.
      assertThat(
              LabNodes.ssh(
                      "root",
                      web,
                      "curl -s -o /dev/null -w %{http_code} -H 'Host: "
                          + HOST
                          + "' http://127.0.0.1/healthz")
                  .out())
          .as(web.name())
          .isEqualTo("200");
    }
    Hoist.Result status = Hoist.run("status", project.toString(), "--env", ENV);
    assertThat(status.out()).as(status.all()).contains("3 web node(s), 3 UP");

    // HAProxy ends TLS with the user's PEM (outside the project, which ships).
    SelfSigned.Files pem = SelfSigned.make(tmp, "rollhello", List.of(HOST), 30);
    Files.writeString(
        project.resolve("hoist.yml"),
        Files.readString(project.resolve("hoist.yml")) + "tls: {cert: " + pem.both() + "}\n");
    Hoist.Result tls = deploy();
    assertThat(tls.exit()).as(tls.all()).isZero();

    Curl curl = new Curl(lb().address(), pem.cert());
    assertThat(
            curl.run(
                    "-H",
                    "X-Forwarded-For: 6.6.6.6",
                    "-H",
                    "X-Forwarded-Proto: http",
                    "https://" + HOST + "/forwarded")
                .out())
        .isEqualTo("for=" + CLIENT + " proto=https scheme=https\n");
    assertThat(curl.status("http://" + HOST + "/forwarded"))
        .isEqualTo("301 https://" + HOST + "/forwarded");
    assertThat(Http.get(webs().get(0).address(), HOST, "/forwarded", forged).status())
        .isEqualTo(403);
    // The workers HAProxy started on this deploy's reload run as haproxy in its chroot.
    assertThat(haproxyProcesses(lb()))
        .contains("root /", "haproxy /var/lib/haproxy")
        .doesNotContain("root /var/lib/haproxy", "haproxy /");
  }

  /** The lab bridge's address on this machine: where a test's requests come from. */
  private static final String CLIENT = "10.213.77.1";

  /** Status and body of GET /forwarded to {@code node}'s port 80, with {@code headers}. */
  private static String forwarded(LabNodes.Node node, String... headers) throws Exception {
    Http.Response r = Http.get(node.address(), HOST, "/forwarded", headers);
    return r.status() + " " + r.body().strip();
  }

  /**
   * Each HAProxy process on {@code node} as "user root-directory", e.g. "haproxy /var/lib/haproxy".
   */
  static java.util.List<String> haproxyProcesses(LabNodes.Node node) throws Exception {
    Hoist.Result r =
        LabNodes.ssh(
            "root",
            node,
            "for p in $(pidof haproxy); do echo \"$(stat -c %U /proc/$p) $(readlink /proc/$p/root)\"; done");
    assertThat(r.exit()).as(r.all()).isZero();
    return r.out().lines().distinct().toList();
  }
}
