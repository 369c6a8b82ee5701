package dev.hoist.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.engine.AgentOp;
import dev.hoist.engine.Change;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The target's record of a data node's apps and its clean-up, planned from one probe: an app
 * recorded once, the shared user's line of before taken out, and the key and user taken away only
 * with the node's last app.
 */
class BackupTargetChangesTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String DIR = "/var/lib/hoist-backup/nodes/db1/shop";

  @TempDir Path tmp;

  static Map<String, JsonNode> states(String apps, String shared) throws Exception {
    Map<String, JsonNode> s = new HashMap<>();
    ObjectNode record = JSON.createObjectNode();
    if (apps != null) {
      record.set("value", JSON.readTree(apps));
    } else {
      record.putNull("value");
    }
    s.put(BackupTargetChanges.APPS_PROBE, record);
    ObjectNode file = JSON.createObjectNode();
    if (shared != null) {
      file.put("exists", true).put("text", shared);
    } else {
      file.put("exists", false);
    }
    s.put(BackupTargetChanges.LEGACY_PROBE, file);
    return s;
  }

  @Test
  void aNewAppIsRecordedAndARecordedOneIsNotTouched() throws Exception {
    List<Change> fresh = BackupTargetChanges.grant("db1", "shop", DIR, states(null, null));
    assertThat(fresh)
        .extracting(Change::summary)
        .containsExactly("record that shop of db1 copies into " + DIR);

    assertThat(
            BackupTargetChanges.grant(
                "db1", "shop", DIR, states("{\"shop\": \"" + DIR + "\"}", null)))
        .isEmpty();
  }

  @Test
  void theSharedUsersLineOfThisNodeIsTakenOutOnTheNextDeploy() throws Exception {
    String shared = "restrict x hoist-backup@db1\nrestrict y hoist-backup@db10\n";

    List<Change> changes =
        BackupTargetChanges.grant(
            "db1", "shop", DIR, states("{\"shop\": \"" + DIR + "\"}", shared));

    assertThat(changes)
        .extracting(Change::summary)
        .containsExactly("remove db1's key from the shared user hoist-backup");
    assertThat(changes.get(0).reasons().get(0)).startsWith("other data nodes' lines stay");
    // db10's line is not db1's: nothing for db10's own deploy to take out of db1's.
    assertThat(
            BackupTargetChanges.grant(
                "db10",
                "x",
                DIR,
                states("{\"x\": \"" + DIR + "\"}", "restrict x hoist-backup@db1\n")))
        .isEmpty();
  }

  @Test
  void releasingOneOfTwoAppsKeepsTheKey() throws Exception {
    List<Change> changes =
        BackupTargetChanges.release(
            "db1", "shop", states("{\"shop\": \"" + DIR + "\", \"blog\": \"/srv/b\"}", null));

    assertThat(changes)
        .extracting(Change::summary)
        .containsExactly("stop taking copies of shop from db1");
    assertThat(changes.get(0).reasons())
        .containsExactly("db1's key stays for blog; the copies already in " + DIR + " stay");
  }

  @Test
  void releasingTheLastAppTakesTheKeyAndUserAwayAndTheCopiesBecomeRoots() throws Exception {
    List<Change> changes =
        BackupTargetChanges.release(
            "db1", "shop", states("{\"shop\": \"" + DIR + "\"}", "k hoist-backup@db1\n"));

    assertThat(changes)
        .extracting(Change::summary)
        .containsExactly(
            "remove db1's key and the user hoist-backup-db1",
            "remove db1's key from the shared user hoist-backup");
    assertThat(changes.get(0).reasons().get(0))
        .endsWith("the copies already in " + DIR + " stay, now root's");
    assertThat(changes.get(1).reasons().get(0)).startsWith("hoist-backup has no key left");
    List<String> argv = ((AgentOp.Exec) changes.get(0).steps().get(0).op()).argv();
    assertThat(argv.subList(4, argv.size()))
        .containsExactly(
            "/var/lib/hoist-backup/nodes/db1/apps.json",
            "/var/lib/hoist-backup/nodes/db1/.ssh/authorized_keys",
            "hoist-backup-db1",
            DIR);
  }

  @Test
  void releasingAnAppTheTargetNeverRecordedChangesNothing() throws Exception {
    assertThat(BackupTargetChanges.release("db1", "shop", states("{\"blog\": \"/b\"}", null)))
        .isEmpty();
    assertThat(BackupTargetChanges.release("db1", "shop", states(null, null))).isEmpty();
  }

  @Test
  void theRecordScriptSetsAndDropsAnApp() throws Exception {
    Path record = tmp.resolve("apps.json");
    Map<String, JsonNode> none = states(null, null);

    run(BackupTargetChanges.grant("db1", "shop", DIR, none), record.toString());
    run(BackupTargetChanges.grant("db1", "blog", "/srv/b", none), record.toString());
    assertThat(JSON.readTree(record.toFile()))
        .isEqualTo(JSON.readTree("{\"blog\": \"/srv/b\", \"shop\": \"" + DIR + "\"}"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(record)))
        .isEqualTo("rw-------");

    run(
        BackupTargetChanges.release(
            "db1", "shop", states("{\"shop\": \"" + DIR + "\", \"blog\": \"/srv/b\"}", null)),
        record.toString());
    assertThat(JSON.readTree(record.toFile())).isEqualTo(JSON.readTree("{\"blog\": \"/srv/b\"}"));
  }

  @Test
  void theKeysScriptTakesOutOnlyThisNodesLine() throws Exception {
    Path keys = tmp.resolve("authorized_keys");
    Files.writeString(
        keys,
        "restrict x hoist-backup@db2\nold line hoist-backup@db1\n\nrestrict y hoist-backup@db10\n");

    List<Change> changes =
        BackupTargetChanges.grant(
            "db1", "shop", DIR, states("{\"shop\": \"" + DIR + "\"}", Files.readString(keys)));
    run(changes, keys.toString());
    run(changes, keys.toString());

    assertThat(Files.readAllLines(keys))
        .containsExactly("restrict x hoist-backup@db2", "restrict y hoist-backup@db10");
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
