package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hoist.stack.BackupTargetStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code backup.to} on two lab nodes: examples/django-postgres on lab1 copies its scheduled bundles
 * to lab2. The deploy makes lab1's key and sets up lab2's SFTP-only user; lab1's own scheduler
 * writes a bundle and copies it; the copy has the same sha256 and verifies; lab1's key gets no
 * shell on lab2 and can neither read nor remove anything there; a no-op deploy is one round trip
 * per node; the data node as its own target is refused. lab1 copies as a user of its own on lab2
 * ({@code hoist-backup-lab1}); a setup of before (one shared {@code hoist-backup} user) loses
 * lab1's line on the next deploy; dropping {@code to:} takes lab1's key and user away from lab2 and
 * leaves the copies there, root's; dropping {@code backup:} removes backup.json.
 */
@TestMethodOrder(OrderAnnotation.class)
class BackupCopyIT {
  static final String APP = "bkcopy";
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration WAIT = Duration.ofSeconds(150);
  static String home;
  static String copies;
  static String user;
  static final String KEY = "/etc/hoist/backup/id_ed25519";
  @TempDir static Path tmp;
  static LabNodes.Node data;
  static LabNodes.Node target;
  static Path project;
  static String spec;

  /** When the deploy that let lab1's key into lab2 ended: runs before it may fail to copy. */
  static Instant targetReady;

  @BeforeAll
  static void lab() throws Exception {
    List<LabNodes.Node> two = LabNodes.up(2);
    data = two.get(0);
    target = two.get(1);
    user = "hoist-backup-" + data.name();
    home = "/var/lib/hoist-backup/nodes/" + data.name();
    copies = home + "/" + APP;
    project = Hoist.copyExample("django-postgres", "django-pg", APP, tmp);
    Path yml = project.resolve("hoist.yml");
    // One node and no run_once: each node deploys on its own, and --json reports round trips.
    spec =
        Files.readString(yml).replace("run_once:", "before_activate:")
            + LabNodes.inventory(two, "one: [" + data.name() + "]");
  }

  @AfterAll
  static void down() throws Exception {
    LabNodes.down();
  }

  static void backupTo(String node) throws Exception {
    Files.writeString(
        project.resolve("hoist.yml"),
        spec + "backup:\n  schedule: \"* * * * *\"\n  keep: 2\n  to: {node: " + node + "}\n");
  }

  static Hoist.Result deploy(String... more) throws Exception {
    List<String> args =
        new java.util.ArrayList<>(List.of("deploy", project.toString(), "--env", "one"));
    args.addAll(List.of(more));
    return Hoist.run(args.toArray(String[]::new));
  }

  static String root(LabNodes.Node node, String script) throws Exception {
    Hoist.Result r = LabNodes.ssh("root", node, script);
    assertThat(r.exit()).as(script + "\n" + r.all()).isZero();
    return r.out();
  }

  /** As root on the data node: ssh with its own backup key to the target, as hoist-backup. */
  static Hoist.Result withDataNodesKey(String command, String stdin) throws Exception {
    return LabNodes.ssh(
        "root",
        data,
        "printf '%s\\n' '"
            + stdin
            + "' | "
            + command
            + " -i "
            + KEY
            + " -o UserKnownHostsFile=/var/lib/hoist/data/"
            + APP
            + "/known_hosts -o StrictHostKeyChecking=yes -o BatchMode=yes "
            + user
            + "@"
            + target.address()
            + (command.startsWith("ssh") ? " true" : ""));
  }

  @Test
  @Order(1)
  void theDataNodeItselfIsRefusedBeforeAnythingIsTouched() throws Exception {
    backupTo(data.name());

    Hoist.Result r = deploy();

    assertThat(r.exit()).as(r.all()).isEqualTo(2);
    assertThat(r.err())
        .contains("backup.to.node: '" + data.name() + "' is the data node itself")
        .containsPattern("hoist.yml:[0-9]+:[0-9]+: ");
    assertThat(LabNodes.ssh("root", data, "test -e /srv/" + APP).exit()).isNotZero();
  }

  @Test
  @Order(2)
  void theDeploySetsUpTheKeyAndAnSftpOnlyTarget() throws Exception {
    // The app first, then backup: added, the order a user takes.
    Files.writeString(project.resolve("hoist.yml"), spec);
    Hoist.Result app = deploy();
    assertThat(app.exit()).as(app.all()).isZero();
    backupTo(target.name());

    Hoist.Result r = deploy();
    targetReady = Instant.now();

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out())
        .contains("backup copies: " + target.name() + ":" + copies + " ready for " + data.name());
    assertThat(root(data, "stat -c '%U %a' " + KEY + " /etc/hoist/backup"))
        .isEqualTo("root 600\nroot 700\n");
    assertThat(root(target, "getent passwd " + user + " | cut -d: -f6,7"))
        .isEqualTo(home + ":/usr/sbin/nologin\n");
    assertThat(
            root(
                target,
                "stat -c '%n %U %a' "
                    + String.join(
                        " ", home, home + "/.ssh", home + "/.ssh/authorized_keys", copies)))
        .isEqualTo(
            home
                + " root 755\n"
                + home
                + "/.ssh root 755\n"
                + home
                + "/.ssh/authorized_keys root 644\n"
                + copies
                + " "
                + user
                + " 700\n");
    String publicKey = root(data, "cut -d' ' -f1,2 " + KEY + ".pub").strip();
    assertThat(root(target, "cat " + home + "/.ssh/authorized_keys"))
        .isEqualTo(
            "restrict,command=\"internal-sftp -u 0277 -p open,close,write,rename,realpath\" "
                + publicKey
                + " hoist-backup@"
                + data.name()
                + "\n");
    JsonNode config =
        JSON.readTree(root(data, "cat /etc/hoist/services/" + APP + "/backup.json")).path("to");
    assertThat(config.path("host").asText()).isEqualTo(target.address());
    assertThat(config.path("user").asText()).isEqualTo(user);
    assertThat(config.path("path").asText()).isEqualTo(copies);
    // The key hoist's own SSH verified for lab2 (the lab's known_hosts), not one fetched anew.
    assertThat(Files.readString(LabNodes.knownHosts())).contains(config.path("host_key").asText());
  }

  @Test
  @Order(3)
  void theNodesSchedulerCopiesEachBundleWhole() throws Exception {
    // A run that ticked while the deploy was between the data node and the target could not copy
    // (lab2 did not know lab1's key yet); the first run after catches its bundle up.
    JsonNode s = runAfter(targetReady);

    JsonNode run = s.path("last_scheduled");
    assertThat(run.path("ok").asBoolean()).as(run.toString()).isTrue();
    assertThat(run.path("copied").asBoolean()).as(run.toString()).isTrue();
    String name = run.path("bundle").asText();
    for (JsonNode b : s.path("backups")) {
      assertThat(b.path("copied").asText()).as(s.toString()).isEqualTo(target.address());
      assertThat(root(target, "test -s " + copies + "/" + b.path("name").asText() + " && echo ok"))
          .isEqualTo("ok\n");
    }
    String local = root(data, "sha256sum /var/backups/hoist/" + APP + "/" + name).split(" ")[0];
    String copy = root(target, "sha256sum " + copies + "/" + name).split(" ")[0];
    assertThat(copy).isEqualTo(local);
    // Read-only for hoist-backup: its key cannot rewrite a copy.
    assertThat(root(target, "stat -c '%U %a' " + copies + "/" + name)).isEqualTo(user + " 400\n");

    Path fetched = tmp.resolve(name);
    Process p =
        new ProcessBuilder(
                "ssh",
                "-i",
                LabNodes.key().toString(),
                "-o",
                "UserKnownHostsFile=" + LabNodes.knownHosts(),
                "-o",
                "BatchMode=yes",
                "root@" + target.address(),
                "cat " + copies + "/" + name)
            .redirectOutput(fetched.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    assertThat(p.waitFor()).isZero();
    Hoist.Result verify = Hoist.run("backup", "verify", fetched.toString());
    assertThat(verify.exit()).as(verify.all()).isZero();

    Hoist.Result listed = Hoist.run("backups", project.toString(), "--env", "one");
    assertThat(listed.out()).contains(name).contains("copied to " + target.address());
  }

  @Test
  @Order(4)
  void theDataNodesKeyGetsNoShellAndCanNeitherReadNorRemove() throws Exception {
    Hoist.Result shell = withDataNodesKey("ssh", "");
    assertThat(shell.exit()).isNotZero();
    assertThat(shell.all()).contains("This service allows sftp connections only.");

    String name = root(target, "ls " + copies + " | head -n 1").strip();
    for (String cmd :
        List.of(
            "get /etc/passwd /tmp/p",
            "get " + copies + "/" + name + " /tmp/b",
            "ls " + copies,
            "rm " + copies + "/" + name,
            "chmod 600 " + copies + "/" + name,
            "put /etc/hostname " + copies + "/" + name)) {
      Hoist.Result r = withDataNodesKey("sftp -b -", cmd);
      assertThat(r.exit()).as(cmd + ": " + r.all()).isNotZero();
    }
    // sftp makes the local file before the refused read: it stays empty.
    assertThat(LabNodes.ssh("root", data, "test -s /tmp/p -o -s /tmp/b").exit()).isNotZero();
    assertThat(root(target, "stat -c '%a %s' " + copies + "/" + name))
        .startsWith("400 ")
        .doesNotEndWith(" " + root(data, "stat -c %s /etc/hostname"));
  }

  @Test
  @Order(5)
  void aNoOpDeployIsOneRoundTripPerNode() throws Exception {
    Hoist.Result json = deploy("--json");
    assertThat(json.exit()).as(json.all()).isZero();
    JsonNode nodes = JSON.readTree(json.out()).path("nodes");
    assertThat(nodes.size()).isEqualTo(1);
    assertThat(nodes.get(0).path("result").path("roundTrips").asInt()).as(json.out()).isEqualTo(1);

    Hoist.Result text = deploy();
    assertThat(text.exit()).as(text.all()).isZero();
    assertThat(text.out())
        .contains("backup copies: " + target.name())
        .contains("0 changed, 1 round trip");
  }

  @Test
  @Order(6)
  void aFailedCopyKeepsTheBundleAndCheckWarns() throws Exception {
    // The target loses the directory: the next copy cannot be written.
    root(target, "mv " + copies + " " + copies + ".away");
    try {
      JsonNode s = runAfter(Instant.now());

      JsonNode run = s.path("last_scheduled");
      assertThat(run.path("ok").asBoolean()).as(run.toString()).isFalse();
      assertThat(run.path("error").asText()).contains("copy to " + user + "@" + target.address());
      String name = run.path("bundle").asText();
      assertThat(root(data, "ls /var/backups/hoist/" + APP)).contains(name);
      assertThat(s.path("backups").get(0).path("copied").isNull()).isTrue();
      Hoist.Result check = Hoist.run("check", project.toString(), "--env", "one");
      assertThat(check.exit()).as(check.all()).isEqualTo(1);
      assertThat(check.out()).startsWith("HOIST WARNING - ").contains("scheduled run failed");
    } finally {
      root(target, "mv " + copies + ".away " + copies);
    }
  }

  @Test
  @Order(7)
  void aSharedUserOfBeforeLosesThisNodesLineOnTheNextDeploy() throws Exception {
    // As a deploy of before left it: one hoist-backup user for every data node.
    String key = root(data, "cut -d' ' -f1,2 " + KEY + ".pub").strip();
    String other = "restrict,command=\"internal-sftp\" ssh-ed25519 AAAAother hoist-backup@db9";
    root(
        target,
        "getent passwd hoist-backup >/dev/null || useradd --system --no-create-home"
            + " --home-dir /var/lib/hoist-backup --shell /usr/sbin/nologin hoist-backup;"
            + " mkdir -p /var/lib/hoist-backup/.ssh && printf '%s\\n' '"
            + other
            + "' '"
            + BackupTargetStack.line(data.name(), key)
            + "' > /var/lib/hoist-backup/.ssh/authorized_keys");
    root(
        data,
        "sed -i 's/\"user\":\"[^\"]*\"/\"user\":\"hoist-backup\"/' /etc/hoist/services/"
            + APP
            + "/backup.json");

    Hoist.Result r = deploy();

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out())
        .contains("remove " + data.name() + "'s key from the shared user hoist-backup");
    assertThat(root(target, "cat /var/lib/hoist-backup/.ssh/authorized_keys"))
        .isEqualTo(other + "\n");
    JsonNode config =
        JSON.readTree(root(data, "cat /etc/hoist/services/" + APP + "/backup.json")).path("to");
    assertThat(config.path("user").asText()).isEqualTo(user);
    // lab1's key no longer gets in as the shared user.
    Hoist.Result shared =
        LabNodes.ssh(
            "root",
            data,
            "echo 'put /etc/hostname /tmp/x' | sftp -b - -i "
                + KEY
                + " -o UserKnownHostsFile=/var/lib/hoist/data/"
                + APP
                + "/known_hosts -o StrictHostKeyChecking=yes -o BatchMode=yes hoist-backup@"
                + target.address());
    assertThat(shared.exit()).as(shared.all()).isNotZero();
    assertThat(shared.all()).contains("Permission denied");
  }

  @Test
  @Order(8)
  void droppingToTakesTheKeyAndUserAwayAndTheCopiesStayRoots() throws Exception {
    String name = root(target, "ls " + copies + " | head -n 1").strip();
    String sum = root(target, "sha256sum " + copies + "/" + name);
    Files.writeString(
        project.resolve("hoist.yml"), spec + "backup:\n  schedule: daily\n  keep: 2\n");

    Hoist.Result plan = Hoist.run("plan", project.toString(), "--env", "one");
    assertThat(plan.exit()).as(plan.all()).isZero();
    assertThat(plan.out())
        .contains(
            "backup copies: after the deploy, "
                + target.name()
                + " stops taking this app's copies from "
                + data.name());
    assertThat(root(target, "getent passwd " + user + " | wc -l")).isEqualTo("1\n");

    Hoist.Result r = deploy();

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out())
        .contains("backup copies: " + target.name() + " no longer takes " + APP + "'s copies from")
        .contains("remove " + data.name() + "'s key and the user " + user);
    assertThat(LabNodes.ssh("root", target, "getent passwd " + user).exit()).isEqualTo(2);
    assertThat(LabNodes.ssh("root", target, "getent group " + user).exit()).isEqualTo(2);
    assertThat(LabNodes.ssh("root", target, "test -e " + home + "/.ssh/authorized_keys").exit())
        .isNotZero();
    // The copies stay, whole, and root's: no later user that gets the freed uid can read them.
    assertThat(root(target, "sha256sum " + copies + "/" + name)).isEqualTo(sum);
    assertThat(root(target, "stat -c '%U %a' " + copies + " " + copies + "/" + name))
        .isEqualTo("root 700\nroot 400\n");
    Hoist.Result put = withDataNodesKey("sftp -b -", "put /etc/hostname " + copies + "/x");
    assertThat(put.exit()).isNotZero();
    assertThat(put.all()).contains("Permission denied");
    assertThat(
            JSON.readTree(root(data, "cat /etc/hoist/services/" + APP + "/backup.json")).has("to"))
        .isFalse();

    Hoist.Result again = deploy();
    assertThat(again.exit()).as(again.all()).isZero();
    assertThat(again.out()).doesNotContain("backup copies");
  }

  @Test
  @Order(9)
  void droppingBackupRemovesItsConfigAndKeepsTheBundles() throws Exception {
    Files.writeString(project.resolve("hoist.yml"), spec);

    Hoist.Result r = deploy();

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(
            LabNodes.ssh("root", data, "test -e /etc/hoist/services/" + APP + "/backup.json")
                .exit())
        .isNotZero();
    assertThat(root(data, "ls /var/backups/hoist/" + APP)).contains(".hoistbak");
  }

  static JsonNode runAfter(Instant after) throws Exception {
    Instant deadline = Instant.now().plus(WAIT);
    while (Instant.now().isBefore(deadline)) {
      Hoist.Result r = Hoist.run("backups", project.toString(), "--env", "one", "--json");
      assertThat(r.exit()).as(r.all()).isZero();
      JsonNode s = JSON.readTree(r.out());
      JsonNode run = s.path("last_scheduled");
      if (run.has("finished") && Instant.parse(run.path("started").asText()).isAfter(after)) {
        return s;
      }
      Thread.sleep(3000);
    }
    throw new AssertionError(
        "no scheduled run finished within "
            + WAIT
            + ":\n"
            + LabNodes.ssh(
                    "root",
                    data,
                    "tail -n 30 /var/log/hoist/hoist-cron-" + APP + "-hoist-backup/current")
                .all());
  }
}
