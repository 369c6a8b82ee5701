package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hoist on lab nodes whose PID 1 is Debian's systemd (sd1 the HAProxy load balancer, sd2 and sd3
 * web nodes): the lab node itself, then examples/hello deployed, a no-op rerun, a new release, a
 * rollback, a process, the journal as its logs, and a rolling deploy behind HAProxy under load with
 * no failed request.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SystemdIT {
  private static final String APP = "sdhello";
  private static final String HOST = APP + ".test";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  static List<LabNodes.Node> nodes;
  static Path project;

  @BeforeAll
  static void lab() throws Exception {
    // Fresh nodes: another class's apps (ServicesLabIT's on sd1) would hold port 80, which
    // HAProxy needs.
    LabNodes.down();
    nodes = LabNodes.upSystemd(3);
    project = Hoist.copyExample("hello", "hello", APP, tmp);
    yml("");
  }

  @AfterAll
  static void down() throws Exception {
    // HAProxy holds port 80 on sd1: gone, so later classes get nodes they can deploy to.
    LabNodes.down();
  }

  static LabNodes.Node lb() {
    return nodes.get(0);
  }

  static LabNodes.Node web() {
    return nodes.get(1);
  }

  static void yml(String extra) throws Exception {
    Files.writeString(
        project.resolve("hoist.yml"),
        "app: "
            + APP
            + "\nwsgi: hello:application\ndomain: "
            + HOST
            + "\nhealth: {path: /healthz, contains: ok}\n"
            + LabNodes.nodesYaml("deploy", nodes)
            + "\nenvironments:\n  one: [sd2]\n  live: {lb: [sd1], web: [sd2, sd3]}\n"
            + extra);
  }

  static void version(int n) throws Exception {
    Files.writeString(
        project.resolve("hello.py"),
        """
        def application(environ, start_response):
            ok = environ.get("PATH_INFO") == "/healthz"
            data = b"ok\\n" if ok else b"Hello from hoist! version %d\\n"
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(data)))])
            return [data]
        """
            .formatted(n));
  }

  static Hoist.Result hoist(String command, String env, String... extra) throws Exception {
    List<String> args =
        new java.util.ArrayList<>(List.of(command, project.toString(), "--env", env));
    args.addAll(List.of(extra));
    return Hoist.run(args.toArray(String[]::new));
  }

  static String onWeb(String... command) throws Exception {
    Hoist.Result r = LabNodes.ssh("root", web(), command);
    return r.out().strip();
  }

  static String served(LabNodes.Node node) throws Exception {
    Http.Response r = Http.get(node.address(), HOST, "/");
    return r.status() + " " + r.body().strip();
  }

  @Test
  @Order(1)
  void aSystemdNodeBootsToRunningWithTheLabsUsers() throws Exception {
    for (LabNodes.Node n : nodes) {
      Hoist.Result r =
          LabNodes.ssh("root", n, "cat /proc/1/comm; systemctl is-system-running --wait");
      assertThat(r.out()).as(n.name() + ": " + r.all()).startsWith("systemd\n");
      assertThat(r.out()).as(r.all()).containsAnyOf("\nrunning", "\ndegraded");
    }
    Hoist.Result deploy = LabNodes.ssh("deploy", web(), "sudo", "-n", "true");
    assertThat(deploy.exit()).as(deploy.all()).isZero();
    Hoist.Result guarded = LabNodes.ssh("guarded", web(), "sudo", "-n", "true");
    assertThat(guarded.exit()).isNotZero();
    assertThat(guarded.err()).contains("a password is required");
    JsonNode ls = JSON.readTree(Hoist.run("lab", "ls", "--json").out());
    assertThat(ls.findValuesAsText("init")).contains("systemd");
    assertThat(onWeb("dpkg-query", "-W", "-f='${Status}'", "runit")).doesNotContain("ok installed");
  }

  @Test
  @Order(2)
  void helloDeploysAsUnitsAndARerunChangesNothing() throws Exception {
    version(1);

    Hoist.Result first = hoist("deploy", "one");

    assertThat(first.exit()).as(first.all()).isZero();
    assertThat(served(web())).isEqualTo("200 Hello from hoist! version 1");
    assertThat(onWeb("systemctl", "is-active", "hoist-" + APP, "nginx"))
        .isEqualTo("active\nactive");
    assertThat(onWeb("systemctl", "is-enabled", "hoist-" + APP, "nginx"))
        .isEqualTo("enabled\nenabled");
    assertThat(
            onWeb(
                "ps",
                "-o",
                "user=",
                "-p",
                "$(systemctl show -p MainPID --value hoist-" + APP + ")"))
        .isEqualTo(APP);

    Hoist.Result again = hoist("deploy", "one", "--json");
    assertThat(again.exit()).as(again.all()).isZero();
    JsonNode report = JSON.readTree(again.out()).path("nodes").get(0).path("result");
    assertThat(report.path("changes")).as(again.out()).isEmpty();
    assertThat(report.path("newRelease").isNull()).as(again.out()).isTrue();
    assertThat(report.path("roundTrips").asInt()).isEqualTo(1);
  }

  @Test
  @Order(3)
  void aNewReleaseReloadsGunicornGracefullyAndRollbackGoesBack() throws Exception {
    String master = onWeb("systemctl", "show", "-p", "MainPID", "--value", "hoist-" + APP);
    version(2);

    Hoist.Result r = hoist("deploy", "one");

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(served(web())).isEqualTo("200 Hello from hoist! version 2");
    assertThat(onWeb("systemctl", "show", "-p", "MainPID", "--value", "hoist-" + APP))
        .as("the same gunicorn master, reloaded with HUP")
        .isEqualTo(master);

    Hoist.Result back = hoist("rollback", "one");
    assertThat(back.exit()).as(back.all()).isZero();
    assertThat(served(web())).isEqualTo("200 Hello from hoist! version 1");

    Hoist.Result logs = hoist("logs", "one", "-n", "200");
    assertThat(logs.exit()).as(logs.all()).isZero();
    assertThat(logs.out()).contains("Booting worker").contains("GET / HTTP");
  }

  @Test
  @Order(4)
  void aProcessRunsAsAUnitAsTheAppUserWithTheAppsEnv() throws Exception {
    Files.writeString(
        project.resolve("ticker.py"),
        """
        import getpass, os, time
        while True:
            print("tick as", getpass.getuser(), "app", os.environ.get("HOIST_APP"), flush=True)
            time.sleep(1)
        """);
    yml("processes: {ticker: python ticker.py}\n");

    Hoist.Result r = hoist("deploy", "one");

    assertThat(r.exit()).as(r.all()).isZero();
    String unit = "hoist-" + APP + "-ticker";
    assertThat(onWeb("systemctl", "is-active", unit)).isEqualTo("active");
    String journal = "";
    for (int i = 0; i < 50 && !journal.contains("tick"); i++) {
      Thread.sleep(100);
      journal = onWeb("journalctl", "-u", unit, "-o", "cat", "--no-pager");
    }
    assertThat(journal).contains("tick as " + APP + " app " + APP);
    assertThat(hoist("logs", "one").out()).contains("tick as " + APP);
  }

  @Test
  @Order(5)
  void aRollingDeployBehindHaproxyFailsNoRequest() throws Exception {
    yml("rollout: {batch: 1, drain: 2s}\n");
    version(3);
    Hoist.Result first = hoist("deploy", "live");
    assertThat(first.exit()).as(first.all()).isZero();
    assertThat(first.err()).contains("sd1: HAProxy");
    assertThat(LabNodes.ssh("root", lb(), "systemctl", "is-active", "hoist-lb").out().strip())
        .isEqualTo("active");
    // systemd's hardening (NoNewPrivileges, ProtectSystem) leaves HAProxy its user and chroot.
    assertThat(RolloutIT.haproxyProcesses(lb()))
        .contains("root /", "haproxy /var/lib/haproxy")
        .doesNotContain("haproxy /");
    assertThat(Http.get(lb().address(), HOST, "/").body()).contains("version 3");

    version(4);
    Load load =
        Load.start("http://" + lb().address() + "/", HOST, 50, Duration.ofSeconds(120), 6_000);
    Hoist.Result r = hoist("deploy", "live");
    Load.Result seen = load.stop();

    assertThat(r.exit()).as(r.all() + (r.exit() == 0 ? "" : websLogs())).isZero();
    assertThat(seen.failed()).as(seen.summary()).isZero();
    assertThat(seen.bodies().keySet().toString()).as(seen.summary()).contains("version 4");
    assertThat(served(nodes.get(1))).endsWith("version 4");
    assertThat(served(nodes.get(2))).endsWith("version 4");
  }

  @Test
  @Order(6)
  void aSickReleaseIsRolledBackWithTheUnitsJournalInTheMessage() throws Exception {
    Files.writeString(
        project.resolve("hello.py"),
        """
        def application(environ, start_response):
            start_response("500 Oops", [("Content-Type", "text/plain")])
            return [b"sick\\n"]
        """);

    Hoist.Result r = hoist("deploy", "one");

    assertThat(r.exit()).as(r.all()).isEqualTo(1);
    assertThat(r.all())
        .contains("HTTP 500")
        .contains("rolled back")
        // The unit's last journal lines (gunicorn's own), where runit's svlogd file would be.
        .contains("==> journalctl -u hoist-" + APP + " <==")
        .containsPattern(
            "(?s)journalctl -u hoist-"
                + APP
                + " <==\\n.*\\[\\d{4}-\\d\\d-\\d\\d .*==> /var/log/nginx");
    assertThat(served(web())).isEqualTo("200 Hello from hoist! version 4");
  }

  @Test
  @Order(7)
  void stopIsAPowerCutAndDownLeavesNothingBehind() throws Exception {
    LabNodes.Node sd3 = nodes.get(2);
    LabNodes.ssh("root", sd3, "echo kept > /root/before-the-cut");
    long pid = pidOf(sd3.name());

    LabNodes.stop(sd3.name());

    assertThat(LabIT.alive(pid)).isFalse();
    nodes = LabNodes.upSystemd(3);
    Hoist.Result kept = LabNodes.ssh("root", sd3, "cat", "/root/before-the-cut");
    assertThat(kept.out()).as(kept.all()).isEqualTo("kept\n");
    long again = pidOf(sd3.name());

    Hoist.Result down = LabNodes.down();

    assertThat(down.exit()).as(down.all()).isZero();
    assertThat(LabIT.alive(again)).isFalse();
    assertThat(Files.readString(Path.of("/proc/self/mountinfo")))
        .doesNotContain("/run/hoist-lab/sd");
    assertThat(Hoist.sh("ip netns list")).doesNotContain("hoist-sd");
    assertThat(Path.of("/run/hoist-lab/sd3")).doesNotExist();
    assertThat(Path.of("/var/lib/hoist-lab/base-systemd/etc/hoist-lab-base")).exists();
  }

  /** For a failure's message: what the web nodes' gunicorn and nginx said. */
  private static String websLogs() throws Exception {
    StringBuilder out = new StringBuilder();
    for (LabNodes.Node n : nodes.subList(1, 3)) {
      out.append("\n--- ")
          .append(n.name())
          .append(":\n")
          .append(
              LabNodes.ssh(
                      "root",
                      n,
                      "journalctl -u hoist-"
                          + APP
                          + " -n 30 --no-pager -o short-precise;"
                          + " tail -n 10 /var/log/nginx/hoist-"
                          + APP
                          + ".error.log")
                  .all());
    }
    return out.toString();
  }

  private static long pidOf(String name) throws Exception {
    for (JsonNode n : JSON.readTree(Hoist.run("lab", "ls", "--json").out())) {
      if (n.get("name").asText().equals(name)) {
        return n.get("pid").asLong();
      }
    }
    throw new AssertionError("lab ls shows no " + name);
  }
}
