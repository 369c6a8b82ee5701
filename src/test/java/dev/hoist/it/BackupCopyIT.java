package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hoist.project.TargetLayout;
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
 * per node; the data node as its own target is refused. lab1 copies as a user of its own on lab2,
 * named from its host key ({@code hoist-bk-lab1-<hash>}); the setups of before (one shared {@code
 * hoist-backup} user, then {@code hoist-backup-lab1}) lose lab1's line and user on the next deploy,
 * and another machine's of the same name stay; a copy directory that is another data node's is
 * refused in hoist.yml and on the target; a backup.json that names the old target with another host
 * key is not acted on; dropping {@code to:} takes lab1's key and user away from lab2 and leaves the
 * copies there, root's; dropping {@code backup:} removes backup.json.
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
    backupWith("{node: " + node + "}");
  }

  static void backupWith(String to) throws Exception {
    Files.writeString(
        project.resolve("hoist.yml"),
        spec + "backup:\n  schedule: \"* * * * *\"\n  keep: 2\n  to: " + to + "\n");
  }

  /** lab1's account on lab2 for each host key lab1 has in the lab's known_hosts. */
  static List<TargetLayout.Account> accounts() throws Exception {
    return Files.readAllLines(LabNodes.knownHosts()).stream()
        .map(l -> l.split(" "))
        .filter(w -> w.length >= 3 && List.of(w[0].split(",")).contains(data.name()))
        .map(w -> TargetLayout.account(data.name(), w[1] + " " + w[2]))
        .toList();
  }

  static JsonNode backupJson() throws Exception {
    return JSON.readTree(root(data, "cat /etc/hoist/services/" + APP + "/backup.json"));
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
    // lab1's user is named from its host key as the admin's known_hosts has it.
    user = backupJson().path("to").path("user").asText();
    assertThat(user).matches("hoist-bk-" + data.name() + "-[0-9a-f]{10}");
    home = accounts().stream().filter(a -> a.user().equals(user)).findFirst().orElseThrow().home();
    assertThat(home).isEqualTo("/var/lib/hoist-backup/nodes/" + user.substring(9));
    copies = home + "/" + APP;
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
  void theUsersOfBeforeLoseThisNodesLineAndAnotherMachinesOfTheSameNameStay() throws Exception {
    // As deploys of before left it: one hoist-backup user for every data node, then a user named
    // from the data node's name alone (with a copy in its directory). A machine of another
    // project is also called lab1: its line has the same mark and another key.
    String key = root(data, "cut -d' ' -f1,2 " + KEY + ".pub").strip();
    String other = "restrict,command=\"internal-sftp\" ssh-ed25519 AAAAother hoist-backup@db9";
    String sameName = BackupTargetStack.line(data.name(), "ssh-ed25519 AAAAsameName");
    TargetLayout.Account old = TargetLayout.legacy(data.name());
    root(
        target,
        "getent passwd hoist-backup >/dev/null || useradd --system --no-create-home"
            + " --home-dir /var/lib/hoist-backup --shell /usr/sbin/nologin hoist-backup;"
            + " mkdir -p /var/lib/hoist-backup/.ssh && printf '%s\\n' '"
            + other
            + "' '"
            + BackupTargetStack.line(data.name(), key)
            + "' '"
            + sameName
            + "' > /var/lib/hoist-backup/.ssh/authorized_keys; useradd --system --no-create-home"
            + " --home-dir "
            + old.home()
            + " --shell /usr/sbin/nologin "
            + old.user()
            + " && mkdir -p "
            + old.home()
            + "/.ssh "
            + old.home()
            + "/"
            + APP
            + " && printf '%s\\n' '"
            + BackupTargetStack.line(data.name(), key)
            + "' > "
            + old.authorizedKeys()
            + " && printf '{\"%s\": \"%s\"}' "
            + APP
            + " "
            + old.home()
            + "/"
            + APP
            + " > "
            + old.record()
            + " && echo copy > "
            + old.home()
            + "/"
            + APP
            + "/old.hoistbak && chown -R "
            + old.user()
            + ": "
            + old.home()
            + "/"
            + APP);
    root(
        data,
        "sed -i 's/\"user\":\"[^\"]*\"/\"user\":\""
            + old.user()
            + "\"/' /etc/hoist/services/"
            + APP
            + "/backup.json");

    Hoist.Result r = deploy();

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out())
        .contains("remove " + data.name() + "'s key from the shared user hoist-backup")
        .contains("remove " + data.name() + "'s key and the user of before " + old.user());
    assertThat(root(target, "cat /var/lib/hoist-backup/.ssh/authorized_keys"))
        .isEqualTo(other + "\n" + sameName + "\n");
    assertThat(LabNodes.ssh("root", target, "getent passwd " + old.user()).exit()).isEqualTo(2);
    assertThat(root(target, "stat -c '%U' " + old.home() + "/" + APP + "/old.hoistbak"))
        .isEqualTo("root\n");
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
  void aPathInAnotherDataNodesDirectoryIsRefusedInHoistYmlAndOnTheTarget() throws Exception {
    backupWith("{node: " + target.name() + ", path: /var/lib/hoist-backup/nodes/x/" + APP + "}");
    Hoist.Result spec = deploy();
    assertThat(spec.exit()).as(spec.all()).isEqualTo(2);
    assertThat(spec.err())
        .containsPattern("hoist.yml:[0-9]+:[0-9]+: backup.to.path: '/var/lib/hoist-backup/nodes/x/")
        .contains("leave path: out");

    // Another data node's copy directory, named in hoist.yml: the target does not hand it over.
    String theirs = "hoist-bk-other-0123456789";
    root(
        target,
        "useradd --system --no-create-home --shell /usr/sbin/nologin "
            + theirs
            + " && install -d -o "
            + theirs
            + " -m 0700 /srv/bk-other");
    try {
      backupWith("{node: " + target.name() + ", path: /srv/bk-other/" + APP + "}");
      Hoist.Result r = deploy();

      assertThat(r.exit()).as(r.all()).isEqualTo(1);
      assertThat(r.err())
          .contains(
              "/srv/bk-other/"
                  + APP
                  + " is under /srv/bk-other, which belongs to "
                  + theirs
                  + ", another data node's backup user here")
          .contains("leave backup.to.path out of hoist.yml");
      assertThat(LabNodes.ssh("root", target, "test -e /srv/bk-other/" + APP).exit()).isNotZero();
    } finally {
      root(target, "rm -rf /srv/bk-other; userdel " + theirs);
    }
  }

  @Test
  @Order(9)
  void aBackupJsonNamingTheTargetWithAnotherHostKeyIsNotActedOn() throws Exception {
    // As a data node that was taken over could: its backup.json's target is not the one the
    // admin's known_hosts has.
    root(
        data,
        "python3 -c 'import json,sys; p=sys.argv[1]; c=json.load(open(p));"
            + " c[\"to\"][\"host_key\"]=\"ssh-ed25519 AAAAforged\"; json.dump(c, open(p, \"w\"))' "
            + "/etc/hoist/services/"
            + APP
            + "/backup.json");
    Files.writeString(
        project.resolve("hoist.yml"), spec + "backup:\n  schedule: daily\n  keep: 2\n");

    Hoist.Result r = deploy();

    assertThat(r.exit()).as(r.all()).isEqualTo(1);
    assertThat(r.all())
        .contains("but with another host key than " + target.name() + " has in your known_hosts")
        .contains("nothing was done there");
    assertThat(root(target, "getent passwd " + user + " | wc -l")).isEqualTo("1\n");
    // Back to copying there, for the next test.
    backupTo(target.name());
    Hoist.Result again = deploy();
    assertThat(again.exit()).as(again.all()).isZero();
  }

  @Test
  @Order(10)
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
  @Order(11)
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
