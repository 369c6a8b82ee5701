package dev.hoist.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.engine.Catalog;
import dev.hoist.engine.DirectoryResource;
import dev.hoist.engine.ExecResource;
import dev.hoist.engine.UserResource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The copy target's setup: an SFTP-only user, one authorized_keys line per data node. */
class BackupTargetStackTest {
  static final String KEY = BackupKeyTest.KEY;

  @TempDir Path tmp;

  @Test
  void theLineAllowsOnlyWritingNewReadOnlyFilesOverSftp() {
    assertThat(BackupTargetStack.line("db1", KEY))
        .isEqualTo(
            "restrict,command=\"internal-sftp -u 0277 -p open,close,write,rename,realpath\" "
                + KEY
                + " hoist-backup@db1");
  }

  @Test
  void theUserHasNoShellAndRootOwnsItsHomeAndKeys() {
    Catalog c = BackupTargetStack.build("db1", KEY, "/var/lib/hoist-backup/shop");

    UserResource user = (UserResource) c.get("user:hoist-backup").resource();
    assertThat(user.shell()).isEqualTo("/usr/sbin/nologin");
    assertThat(user.home()).isEqualTo("/var/lib/hoist-backup");
    assertThat(((DirectoryResource) c.get("dir:/var/lib/hoist-backup").resource()).attributes())
        .hasToString("Attributes[owner=root, group=root, mode=0755]");
    assertThat(
            ((DirectoryResource) c.get("dir:/var/lib/hoist-backup/.ssh").resource()).attributes())
        .hasToString("Attributes[owner=root, group=root, mode=0755]");
    assertThat(
            ((DirectoryResource) c.get("dir:/var/lib/hoist-backup/shop").resource()).attributes())
        .hasToString("Attributes[owner=hoist-backup, group=hoist-backup, mode=0700]");
    ExecResource authorize = (ExecResource) c.get("exec:backup-authorize-db1").resource();
    assertThat(authorize.unless())
        .containsExactly(
            "grep",
            "-qxF",
            "--",
            BackupTargetStack.line("db1", KEY),
            "/var/lib/hoist-backup/.ssh/authorized_keys");
  }

  @Test
  void authorizingReplacesThisNodesLineAndKeepsTheOthers() throws Exception {
    Path keys = tmp.resolve("authorized_keys");
    Files.writeString(
        keys,
        "restrict x hoist-backup@db2\nold line hoist-backup@db1\n\nrestrict y hoist-backup@db10\n");

    run(authorize("db1"), keys);
    run(authorize("db1"), keys);

    assertThat(Files.readAllLines(keys))
        .containsExactly(
            "restrict x hoist-backup@db2",
            "restrict y hoist-backup@db10",
            BackupTargetStack.line("db1", KEY));
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(keys)))
        .isEqualTo("rw-r--r--");
  }

  @Test
  void authorizingCreatesTheFile() throws Exception {
    Path keys = tmp.resolve("authorized_keys");
    run(authorize("db1"), keys);
    assertThat(Files.readString(keys)).isEqualTo(BackupTargetStack.line("db1", KEY) + "\n");
  }

  private static List<String> authorize(String node) {
    Catalog c = BackupTargetStack.build(node, KEY, "/var/lib/hoist-backup/shop");
    return ((ExecResource) c.get("exec:backup-authorize-" + node).resource()).argv();
  }

  private static void run(List<String> argv, Path keys) throws Exception {
    List<String> a = new ArrayList<>(argv);
    a.set(a.indexOf(BackupTargetStack.AUTHORIZED_KEYS), keys.toString());
    Process p = new ProcessBuilder(a).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isZero();
  }
}
