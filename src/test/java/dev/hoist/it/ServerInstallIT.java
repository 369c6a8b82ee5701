package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.lab.LabLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hoist server install} on this machine (runit; PID 1 is not systemd), as a user runs it:
 * first for a server whose project deploys over SSH (the service runs as {@code hoist}; a secret
 * file in a directory another user can change is refused, then handed over), then for one whose
 * project deploys here (the service runs as root; the hoist user's data directory is not taken
 * over), whose signed webhook push deploys the commit, served by nginx. Each install run twice
 * changes nothing the second time. There is no uninstall: the test removes what it made.
 */
class ServerInstallIT {
  private static final String APP = "srvinst";
  private static final String SECRET = "a webhook secret for ServerInstallIT";
  private static final Path SERVICE = Path.of("/etc/service/hoist-server");
  private static final Pattern PID = Pattern.compile("^run: \\S+ \\(pid (\\d+)\\)");
  private static final Pattern KEY = Pattern.compile("\\n  (ssh-ed25519 \\S+) hoist-server@");

  @TempDir Path tmp;

  @Test
  void installsTheServerAsHoistThenAsRootForAProjectThatDeploysHere() throws Exception {
    removeInstall();
    Hoist.purge(APP);
    // Directories the hoist user can enter, to read server.yml, as in /etc/hoist-server.
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path repo = Hoist.copyExample("hello", "hello", APP, tmp);
    String commit = commit(repo);
    try {
      Path hoistDir = Files.createDirectory(tmp.resolve("as-hoist"));
      try (ServerProcess remote = new ServerProcess(hoistDir, APP, repo, SECRET)) {
        // Deploys to the project's environment live, over SSH: the server needs no root.
        Hoist.replace(remote.yml, "    branch: main\n", "    branch: main\n    env: live\n");
        asHoist(remote);
        Path rootDir = Files.createDirectory(tmp.resolve("as-root"));
        try (ServerProcess local = new ServerProcess(rootDir, APP, repo, SECRET)) {
          asRoot(local, remote.data(), commit);
        }
      }
    } finally {
      removeInstall();
      Hoist.purge(APP);
    }
  }

  /**
   * On a lab node whose PID 1 is systemd: the unit is enabled and started as hoist, comes back
   * after {@code systemctl restart}, and starts again when the node boots.
   */
  @Test
  void onASystemdNodeTheUnitStartsAndSurvivesARestartAndAReboot() throws Exception {
    LabNodes.Node node = LabNodes.upSystemd(1).get(0);
    Path root = LabLayout.standard().root(node.name());
    // The lab's base has no JVM: the one running this test goes in, with hoist.jar.
    Path jar = Path.of(System.getProperty("hoist.jar", "target/hoist.jar")).toAbsolutePath();
    sh(
        "mkdir -p %1$s/opt %1$s/etc/hoist-server && cp -a %2$s %1$s/opt/hoist-jdk && cp %3$s %1$s/opt/hoist.jar"
            .formatted(root, System.getProperty("java.home"), jar));
    Files.writeString(
        root.resolve("etc/hoist-server/server.yml"),
        """
        listen: 127.0.0.1:7500
        data: /var/lib/hoist-server
        projects:
          shop: {repo: https://example.com/shop.git, env: live, secret_file: shop.secret}
        """);
    Path secret = root.resolve("etc/hoist-server/shop.secret");
    Files.writeString(secret, SECRET + "\n");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    try {
      Hoist.Result installed =
          LabNodes.ssh(
              "root",
              node,
              "/opt/hoist-jdk/bin/java -jar /opt/hoist.jar server install"
                  + " --config /etc/hoist-server/server.yml");
      assertThat(installed.exit()).as(installed.all()).isZero();
      assertThat(installed.out()).contains("changed (systemd, as hoist):");
      assertThat(onNode(node, "systemctl is-enabled hoist-server")).isEqualTo("enabled");
      long pid = unitServing(node);
      assertThat(onNode(node, "ps -o user= -p " + pid)).isEqualTo("hoist");
      assertThat(onNode(node, "stat -c '%U %a' /etc/hoist-server/shop.secret"))
          .isEqualTo("hoist 600");

      onNode(node, "systemctl restart hoist-server");
      long restarted = unitServing(node);
      assertThat(restarted).isNotEqualTo(pid);

      // Power off and boot: the enabled unit starts with the node.
      LabNodes.stop(node.name());
      node = LabNodes.upSystemd(1).get(0);
      unitServing(node);
      assertThat(onNode(node, "systemctl is-active hoist-server")).isEqualTo("active");
    } finally {
      onNode(
          node,
          "systemctl disable --now hoist-server; rm -rf /etc/systemd/system/hoist-server.service"
              + " /usr/local/lib/hoist-server /var/lib/hoist-server /etc/hoist-server /opt/hoist-jdk"
              + " /opt/hoist.jar; systemctl daemon-reload; userdel hoist; groupdel hoist; true");
    }
  }

  /** The unit's main PID once its server answers HTTP on the node (its API asks for a token). */
  private static long unitServing(LabNodes.Node node) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!onNode(
            node,
            "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:7500/api/projects || true")
        .equals("401")) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "the unit's server did not answer within 60 s: "
                + onNode(node, "systemctl status hoist-server; journalctl -u hoist-server | tail"));
      }
      Thread.sleep(300);
    }
    return Long.parseLong(onNode(node, "systemctl show -p MainPID --value hoist-server"));
  }

  private static String onNode(LabNodes.Node node, String script) throws Exception {
    return LabNodes.ssh("root", node, script).out().strip();
  }

  /** Every project has an env: the service runs as hoist, who is given the secret file. */
  private void asHoist(ServerProcess server) throws Exception {
    Path secret = server.dir.resolve(APP + ".secret");
    Files.setPosixFilePermissions(server.dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    // The secret's directory can be changed by another user: root gives nothing away there.
    sh("chown nobody " + server.dir);
    Hoist.Result refused = install(server);
    assertThat(refused.exit()).as(refused.all()).isNotZero();
    assertThat(refused.all())
        .contains(
            "cannot hand "
                + secret
                + " to the hoist user: "
                + server.dir
                + " can be changed by another user than root",
            "chown hoist:hoist " + secret + " && chmod 600 " + secret);
    assertThat(sh("stat -c '%U %a' " + secret)).isEqualTo("root 600");
    assertThat(Files.exists(SERVICE)).as("no service started").isFalse();

    sh("chown root " + server.dir);
    Hoist.Result installed = install(server);
    assertThat(installed.exit()).as(installed.all()).isZero();
    assertThat(installed.out()).contains("changed (runit, as hoist):");
    Path data = server.data();
    assertThat(sh("getent passwd hoist | cut -d: -f6,7")).isEqualTo(data + ":/bin/sh");
    assertThat(sh("stat -c '%U:%G %a' " + data)).isEqualTo("hoist:hoist 700");
    assertThat(sh("stat -c '%U:%G %a' " + secret)).isEqualTo("hoist:hoist 600");
    Path key = data.resolve(".ssh/id_ed25519");
    assertThat(sh("stat -c '%U %a' " + key)).isEqualTo("hoist 600");
    String printed = printedKey(installed);
    assertThat(sh("ssh-keygen -y -f " + key + " | cut -d' ' -f1,2")).isEqualTo(printed);
    assertThat(installed.out()).contains("restrict,command=\"/usr/local/lib/hoist-server/hoist");

    long pid = serving(new ServerClient(server));
    assertThat(sh("ps -o user= -p " + pid)).isEqualTo("hoist");

    Hoist.Result again = install(server);
    assertThat(again.exit()).as(again.all()).isZero();
    assertThat(again.out())
        .contains("nothing to change: hoist-server is installed (runit, as hoist)");
    assertThat(printedKey(again)).isEqualTo(printed);
    assertThat(servicePid()).isEqualTo(pid);
  }

  /**
   * The project deploys here: the service runs as root, in a data directory of its own; the pushed
   * commit deploys.
   */
  private void asRoot(ServerProcess server, Path hoistData, String commit) throws Exception {
    long before = servicePid();
    // The hoist user's data directory is not root's to take over.
    Hoist.replace(server.yml, "data: data", "data: " + hoistData);
    Hoist.Result refused = install(server);
    assertThat(refused.exit()).as(refused.all()).isNotZero();
    assertThat(refused.all())
        .contains(
            hoistData + " belongs to hoist; the server runs as root here, because " + APP,
            "mv " + hoistData + " " + hoistData + ".old");
    assertThat(servicePid()).as("the hoist server still runs").isEqualTo(before);

    Hoist.replace(server.yml, "data: " + hoistData, "data: data");
    Hoist.Result installed = install(server);
    assertThat(installed.exit()).as(installed.all()).isZero();
    assertThat(installed.out())
        .contains(
            "changed (runit, as root):",
            "The server runs as root: " + APP + " deploys to this machine")
        .doesNotContain("restrict,command=");
    Path data = server.data();
    assertThat(sh("stat -c '%U:%G %a' " + data)).isEqualTo("root:root 700");
    Path key = data.resolve(".ssh/id_ed25519");
    assertThat(sh("stat -c '%U %a' " + key)).isEqualTo("root 600");
    String printed = printedKey(installed);
    assertThat(sh("ssh-keygen -y -f " + key + " | cut -d' ' -f1,2")).isEqualTo(printed);
    // The changed run script restarted the service, now as root.
    ServerClient client = new ServerClient(server);
    long pid = serving(client);
    assertThat(pid).isNotEqualTo(before);
    assertThat(sh("ps -o user= -p " + pid)).isEqualTo("root");

    Hoist.Result again = install(server);
    assertThat(again.exit()).as(again.all()).isZero();
    assertThat(again.out())
        .contains("nothing to change: hoist-server is installed (runit, as root)");
    assertThat(printedKey(again)).isEqualTo(printed);

    String read = server.token("ci", "read");
    long id = client.push(commit, "delivery-1");
    JsonNode record = client.ended(id, read, Duration.ofMinutes(3));
    assertThat(record.get("status").asText()).as(record.toString()).isEqualTo("succeeded");
    assertThat(record.get("commit").asText()).isEqualTo(commit);
    // Deployed on this machine by the installed server, served by nginx.
    assertThat(Http.get(APP + ".test", "/").body()).contains("Hello from hoist!");
    assertThat(sh("cat /var/log/hoist-server/current")).doesNotContain(SECRET, read);
  }

  private static Hoist.Result install(ServerProcess server)
      throws IOException, InterruptedException {
    return Hoist.run("server", "install", "--config", server.yml.toString());
  }

  private static String printedKey(Hoist.Result installed) {
    Matcher m = KEY.matcher(installed.out());
    assertThat(m.find()).as(installed.out()).isTrue();
    return m.group(1);
  }

  /** The service's PID once its server answers HTTP (its API asks for a token). */
  private static long serving(ServerClient server) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try {
        if (server.get("/api/projects", null).statusCode() == 401) {
          return servicePid();
        }
      } catch (IOException e) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "the installed server did not answer within 60 s: "
                + sh("sv status " + SERVICE + "; tail -20 /var/log/hoist-server/current"));
      }
      Thread.sleep(200);
    }
  }

  private static long servicePid() throws Exception {
    String status = sh("sv status " + SERVICE);
    Matcher m = PID.matcher(status);
    assertThat(m.find()).as(status).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static String commit(Path repo) throws Exception {
    return sh(
        "cd "
            + repo
            + " && git init -q -b main && git add -A && git -c user.name=Jane"
            + " -c user.email=jane@example.com commit -q -m hello && git rev-parse HEAD");
  }

  private static String sh(String script) throws Exception {
    return Hoist.sh(script).strip();
  }

  /** What the install made, as docs/server.md says to remove it (there is no uninstall). */
  private static void removeInstall() throws Exception {
    Hoist.sh(
        """
        s=/etc/service/hoist-server
        sv -w 30 down $s >/dev/null 2>&1; sv exit $s $s/log >/dev/null 2>&1; rm -f $s
        rm -rf /etc/sv/hoist-server /usr/local/lib/hoist-server /var/log/hoist-server
        userdel hoist >/dev/null 2>&1; groupdel hoist >/dev/null 2>&1; true
        """);
  }
}
