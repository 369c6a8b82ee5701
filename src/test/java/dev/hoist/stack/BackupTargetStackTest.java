package dev.hoist.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.engine.Catalog;
import dev.hoist.engine.DirectoryResource;
import dev.hoist.engine.FileResource;
import dev.hoist.engine.UserResource;
import dev.hoist.project.TargetLayout;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The copy target's setup: an SFTP-only user of the data node's own, with its one key line. */
class BackupTargetStackTest {
  static final String KEY = BackupKeyTest.KEY;
  static final TargetLayout.Account DB1 = TargetLayout.account("db1", "ssh-ed25519 AAAAdb1");
  static final String HOME = DB1.home();

  @Test
  void theLineAllowsOnlyWritingNewReadOnlyFilesOverSftp() {
    assertThat(BackupTargetStack.line("db1", KEY))
        .isEqualTo(
            "restrict,command=\"internal-sftp -u 0277 -p open,close,write,rename,realpath\" "
                + KEY
                + " hoist-backup@db1");
  }

  @Test
  void eachDataNodeHasAUserWithNoShellAndRootOwnsItsHomeAndKeys() {
    Catalog c = BackupTargetStack.build(DB1, "db1", KEY, HOME + "/shop");

    UserResource user = (UserResource) c.get("user:" + DB1.user()).resource();
    assertThat(user.shell()).isEqualTo("/usr/sbin/nologin");
    assertThat(user.home()).isEqualTo(HOME);
    for (String dir :
        new String[] {
          "/var/lib/hoist-backup", "/var/lib/hoist-backup/nodes", HOME, HOME + "/.ssh"
        }) {
      assertThat(((DirectoryResource) c.get("dir:" + dir).resource()).attributes())
          .as(dir)
          .hasToString("Attributes[owner=root, group=root, mode=0755]");
    }
    assertThat(((DirectoryResource) c.get("dir:" + HOME + "/shop").resource()).attributes())
        .hasToString("Attributes[owner=" + DB1.user() + ", group=" + DB1.user() + ", mode=0700]");
    FileResource keys = (FileResource) c.get("file:" + HOME + "/.ssh/authorized_keys").resource();
    assertThat(new String(keys.content(), StandardCharsets.UTF_8))
        .isEqualTo(BackupTargetStack.line("db1", KEY) + "\n");
    assertThat(keys.attributes()).hasToString("Attributes[owner=root, group=root, mode=0644]");
  }

  @Test
  void anotherDataNodeOfTheSameNameGetsAnotherUserAndHome() {
    TargetLayout.Account other = TargetLayout.account("db1", "ssh-ed25519 AAAAother");
    Catalog c = BackupTargetStack.build(other, "db1", KEY, "/srv/copies/shop");

    assertThat(c.contains("user:" + DB1.user())).isFalse();
    assertThat(c.contains("dir:" + DB1.home())).isFalse();
    assertThat(((UserResource) c.get("user:" + other.user()).resource()).home())
        .isEqualTo(other.home());
    assertThat(((DirectoryResource) c.get("dir:/srv/copies/shop").resource()).attributes())
        .hasToString(
            "Attributes[owner=" + other.user() + ", group=" + other.user() + ", mode=0700]");
  }
}
