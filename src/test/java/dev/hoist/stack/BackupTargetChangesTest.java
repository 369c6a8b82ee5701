package dev.hoist.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.engine.AgentOp;
import dev.hoist.engine.Change;
import dev.hoist.project.TargetLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The target's record of a data node's apps and its clean-up, planned from one probe: an app
 * recorded once; the accounts of before (the user named from the node's name, the shared user's
 * line) left only where they hold this node's key; the key and user taken away only with the node's
 * last app; and a copy directory that is another data node's refused.
 */
class BackupTargetChangesTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String KEY = BackupKeyTest.KEY;
  static final String OTHER_KEY = KEY.replace("AAAAC3", "BBBBC3");
  static final TargetLayout.Account DB1 = TargetLayout.account("db1", "ssh-ed25519 AAAAdb1");
  static final CopySource SOURCE = new CopySource("db1", DB1, Optional.of(KEY));
  static final String DIR = DB1.home() + "/shop";
  static final String OLD = "/var/lib/hoist-backup/nodes/db1";

  @TempDir Path tmp;

  /** A target's probe answers, none of which exist until set. */
  static final class States {
    final Map<String, JsonNode> map = new HashMap<>();

    States() {
      apps(BackupTargetChanges.APPS_PROBE, null);
      apps(BackupTargetChanges.OLD_APPS_PROBE, null);
      file(BackupTargetChanges.LEGACY_PROBE, null);
      file(BackupTargetChanges.OLD_KEYS_PROBE, null);
    }

    States apps(String id, String json) {
      ObjectNode record = JSON.createObjectNode();
      try {
        record.set("value", json == null ? null : JSON.readTree(json));
      } catch (Exception e) {
        throw new IllegalArgumentException(e);
      }
      map.put(id, record);
      return this;
    }

    States file(String id, String text) {
      ObjectNode file = JSON.createObjectNode();
      if (text != null) {
        file.put("exists", true).put("text", text);
      } else {
        file.put("exists", false);
      }
      map.put(id, file);
      return this;
    }

    States path(String path, String type, String owner) {
      map.put(
          BackupTargetChanges.PATH_PROBE + path,
          JSON.createObjectNode().put("exists", true).put("type", type).put("owner", owner));
      return this;
    }

    States mine(String json) {
      return apps(BackupTargetChanges.APPS_PROBE, json);
    }

    States before(String json, String keys) {
      return apps(BackupTargetChanges.OLD_APPS_PROBE, json)
          .file(BackupTargetChanges.OLD_KEYS_PROBE, keys);
    }

    States shared(String keys) {
      return file(BackupTargetChanges.LEGACY_PROBE, keys);
    }
  }

  static String line(String key, String node) {
    return "restrict,command=\"internal-sftp\" " + key + " hoist-backup@" + node + "\n";
  }

  @Test
  void aNewAppIsRecordedAndARecordedOneIsNotTouched() {
    List<Change> fresh = BackupTargetChanges.grant(SOURCE, "shop", DIR, new States().map);
    assertThat(fresh)
        .extracting(Change::summary)
        .containsExactly("record that shop of db1 copies into " + DIR);

    assertThat(
            BackupTargetChanges.grant(
                SOURCE, "shop", DIR, new States().mine("{\"shop\": \"" + DIR + "\"}").map))
        .isEmpty();
  }

  @Test
  void theSharedUsersLineOfThisNodeIsTakenOutOnlyWhereItHoldsThisNodesKey() {
    String shared = line(KEY, "db1") + line(OTHER_KEY, "db10");

    List<Change> changes =
        BackupTargetChanges.leave(SOURCE, "shop", new States().shared(shared).map);

    assertThat(changes)
        .extracting(Change::summary)
        .containsExactly("remove db1's key from the shared user hoist-backup");
    assertThat(changes.get(0).reasons().get(0)).startsWith("other data nodes' lines stay");
    // Another project's machine called db1 has its own key: its line is not this node's.
    assertThat(
            BackupTargetChanges.leave(
                SOURCE, "shop", new States().shared(line(OTHER_KEY, "db1")).map))
        .isEmpty();
    // No key heard: nothing of before is touched.
    assertThat(
            BackupTargetChanges.leave(
                new CopySource("db1", DB1, Optional.empty()),
                "shop",
                new States().shared(shared).map))
        .isEmpty();
  }

  @Test
  void theUserOfBeforeGoesWithItsLastAppWhenItHoldsThisNodesKey() {
    String oldDir = OLD + "/shop";
    List<Change> changes =
        BackupTargetChanges.leave(
            SOURCE,
            "shop",
            new States().before("{\"shop\": \"" + oldDir + "\"}", line(KEY, "db1")).map);

    assertThat(changes)
        .extracting(Change::summary)
        .containsExactly(
            "remove db1's key and the user of before hoist-backup-db1, named from"
                + " the node's name alone (each data node machine now copies as a user of its own)");
    List<String> argv = ((AgentOp.Exec) changes.get(0).steps().get(0).op()).argv();
    assertThat(argv.subList(4, argv.size()))
        .containsExactly(
            OLD + "/apps.json", OLD + "/.ssh/authorized_keys", "hoist-backup-db1", oldDir);
  }

  @Test
  void theUserOfBeforeKeepsTheKeyForAnotherAppAndAnotherMachinesIsNotTouched() {
    List<Change> one =
        BackupTargetChanges.leave(
            SOURCE,
            "shop",
            new States().before("{\"shop\": \"/a\", \"blog\": \"/b\"}", line(KEY, "db1")).map);
    assertThat(one)
        .extracting(Change::summary)
        .containsExactly("stop taking copies of shop from db1 as hoist-backup-db1");
    assertThat(one.get(0).reasons())
        .containsExactly("db1's key stays there for blog; the copies already in /a stay");

    assertThat(
            BackupTargetChanges.leave(
                SOURCE,
                "shop",
                new States().before("{\"shop\": \"/a\"}", line(OTHER_KEY, "db1")).map))
        .isEmpty();
    assertThat(
            BackupTargetChanges.leave(
                SOURCE, "shop", new States().before("{\"blog\": \"/b\"}", line(KEY, "db1")).map))
        .isEmpty();
  }

  @Test
  void releasingOneOfTwoAppsKeepsTheKey() {
    List<Change> changes =
        BackupTargetChanges.release(
            SOURCE, "shop", new States().mine("{\"shop\": \"" + DIR + "\", \"blog\": \"/b\"}").map);

    assertThat(changes)
        .extracting(Change::summary)
        .containsExactly("stop taking copies of shop from db1 as " + DB1.user());
    assertThat(changes.get(0).reasons())
        .containsExactly("db1's key stays there for blog; the copies already in " + DIR + " stay");
  }

  @Test
  void releasingTheLastAppTakesTheKeyAndUserAwayAndTheCopiesBecomeRoots() {
    List<Change> changes =
        BackupTargetChanges.release(
            SOURCE,
            "shop",
            new States().mine("{\"shop\": \"" + DIR + "\"}").shared(line(KEY, "db1")).map);

    assertThat(changes)
        .extracting(Change::summary)
        .containsExactly(
            "remove db1's key and the user " + DB1.user(),
            "remove db1's key from the shared user hoist-backup");
    assertThat(changes.get(0).reasons().get(0))
        .endsWith("the copies already in " + DIR + " stay, now root's");
    assertThat(changes.get(1).reasons().get(0)).startsWith("hoist-backup has no key left");
    List<String> argv = ((AgentOp.Exec) changes.get(0).steps().get(0).op()).argv();
    assertThat(argv.subList(4, argv.size()))
        .containsExactly(DB1.record(), DB1.authorizedKeys(), DB1.user(), DIR);
  }

  @Test
  void releasingAnAppTheTargetNeverRecordedChangesNothing() {
    assertThat(
            BackupTargetChanges.release(
                SOURCE, "shop", new States().mine("{\"blog\": \"/b\"}").map))
        .isEmpty();
    assertThat(BackupTargetChanges.release(SOURCE, "shop", new States().map)).isEmpty();
  }

  @Test
  void aDirectoryUnderTheBackupHomesButNotThisNodesOwnIsRefused() {
    for (String dir :
        List.of(
            OLD + "/shop",
            TargetLayout.NODES + "/other-0123456789/shop",
            "/var/lib/hoist-backup/x")) {
      assertThat(BackupTargetChanges.refusal(SOURCE, dir, new States().map))
          .as(dir)
          .hasValueSatisfying(
              r ->
                  assertThat(r)
                      .startsWith(dir + " is under /var/lib/hoist-backup but not in db1's own home")
                      .contains("leave backup.to.path out of hoist.yml"));
    }
    assertThat(BackupTargetChanges.refusal(SOURCE, DIR, new States().map)).isEmpty();
  }

  @Test
  void aDirectoryThatIsOrIsInAnotherDataNodesIsRefused() {
    assertThat(
            BackupTargetChanges.refusal(
                SOURCE,
                "/srv/b/shop",
                new States()
                    .path("/srv", "dir", "root")
                    .path("/srv/b", "dir", "hoist-bk-db2-0123456789")
                    .map))
        .contains(
            "/srv/b/shop is under /srv/b, which belongs to hoist-bk-db2-0123456789, another data"
                + " node's backup user here; leave backup.to.path out of hoist.yml (copies then go"
                + " into "
                + DB1.home()
                + "/APP, this node's own), or name a directory of its own");
    assertThat(
            BackupTargetChanges.refusal(
                SOURCE,
                "/srv/b",
                new States().path("/srv", "dir", "root").path("/srv/b", "dir", "hoist-backup").map))
        .hasValueSatisfying(r -> assertThat(r).startsWith("/srv/b belongs to hoist-backup,"));
    assertThat(
            BackupTargetChanges.refusal(
                SOURCE, "/srv/b", new States().path("/srv", "link", "root").map))
        .hasValueSatisfying(
            r -> assertThat(r).startsWith("/srv/b is under /srv, which is a symbolic link"));
  }

  @Test
  void aDirectoryOfThisNodesOwnOrOfItsAccountsOfBeforeIsHandedOver() {
    States states =
        new States()
            .path("/srv", "dir", "root")
            .path("/srv/b", "dir", "hoist-backup-db1")
            .before("{}", line(KEY, "db1"));
    assertThat(BackupTargetChanges.refusal(SOURCE, "/srv/b", states.map)).isEmpty();
    assertThat(
            BackupTargetChanges.refusal(
                SOURCE,
                "/srv/b",
                new States().path("/srv", "dir", "root").path("/srv/b", "dir", DB1.user()).map))
        .isEmpty();
    // Another machine's account of before, of the same name: not this node's.
    assertThat(
            BackupTargetChanges.refusal(
                SOURCE, "/srv/b", states.before("{}", line(OTHER_KEY, "db1")).map))
        .isPresent();
    assertThat(BackupTargetChanges.pathProbes("/srv/b/c"))
        .extracting(p -> p.id())
        .containsExactly(
            BackupTargetChanges.PATH_PROBE + "/srv",
            BackupTargetChanges.PATH_PROBE + "/srv/b",
            BackupTargetChanges.PATH_PROBE + "/srv/b/c");
  }

  @Test
  void theRecordScriptSetsAndDropsAnApp() throws Exception {
    Path record = tmp.resolve("apps.json");
    Map<String, JsonNode> none = new States().map;

    run(BackupTargetChanges.grant(SOURCE, "shop", DIR, none), record.toString());
    run(BackupTargetChanges.grant(SOURCE, "blog", "/srv/b", none), record.toString());
    assertThat(JSON.readTree(record.toFile()))
        .isEqualTo(JSON.readTree("{\"blog\": \"/srv/b\", \"shop\": \"" + DIR + "\"}"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(record)))
        .isEqualTo("rw-------");

    run(
        BackupTargetChanges.release(
            SOURCE, "shop", new States().mine("{\"shop\": \"" + DIR + "\", \"blog\": \"/b\"}").map),
        record.toString());
    assertThat(JSON.readTree(record.toFile())).isEqualTo(JSON.readTree("{\"blog\": \"/srv/b\"}"));
  }

  @Test
  void theKeysScriptTakesOutOnlyThisNodesLine() throws Exception {
    Path keys = tmp.resolve("authorized_keys");
    Files.writeString(
        keys,
        line(KEY, "db2")
            + line(KEY, "db1")
            + "\n"
            + line(OTHER_KEY, "db1")
            + line(OTHER_KEY, "db10"));

    List<Change> changes =
        BackupTargetChanges.leave(SOURCE, "shop", new States().shared(Files.readString(keys)).map);
    run(changes, keys.toString());
    run(changes, keys.toString());

    assertThat(Files.readString(keys))
        .isEqualTo(line(KEY, "db2") + line(OTHER_KEY, "db1") + line(OTHER_KEY, "db10"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys)))
        .isEqualTo("rw-r--r--");
  }

  /** Runs each change's command with its first file argument pointed at {@code file}. */
  private static void run(List<Change> changes, String file) throws Exception {
    for (Change c : changes) {
      List<String> argv = new ArrayList<>(((AgentOp.Exec) c.steps().get(0).op()).argv());
      argv.set(4, file);
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      assertThat(p.waitFor()).as(out).isZero();
    }
  }
}
