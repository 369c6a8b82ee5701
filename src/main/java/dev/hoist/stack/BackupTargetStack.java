package dev.hoist.stack;

import dev.hoist.engine.Attributes;
import dev.hoist.engine.Catalog;
import dev.hoist.engine.DirectoryResource;
import dev.hoist.engine.FileResource;
import dev.hoist.engine.GroupResource;
import dev.hoist.engine.UserResource;
import dev.hoist.project.TargetLayout;

/**
 * What the node named by {@code backup.to} needs to receive one data node's copies, and nothing
 * more: that data node's own system user ({@link TargetLayout#account}: no shell, a root-owned
 * home), its authorized_keys (root 0644, so SFTP cannot rewrite it) with the data node's one line,
 * and the copy directory it owns (0700). The line lets the key run only {@code internal-sftp},
 * limited to creating, writing and renaming files that are made read-only ({@code -u 0277}): no
 * shell, no forwarding, no reading, no removing. A user per data node keeps a data node that is
 * taken over out of every other node's directories. What is recorded and taken away beside this
 * catalog: {@link BackupTargetChanges}. docs/backups.md.
 */
public final class BackupTargetStack {
  /** The forced command: the requests the runner's upload (put, rename) needs, and no others. */
  static final String SFTP = "internal-sftp -u 0277 -p open,close,write,rename,realpath";

  private static final Attributes ROOT_DIR = Attributes.of("root", "root", "0755");
  private static final Attributes ROOT_FILE = Attributes.of("root", "root", "0644");

  private BackupTargetStack() {}

  /** The authorized_keys line for {@code dataNode}'s key ({@link BackupKey#parse}d). */
  public static String line(String dataNode, String publicKey) {
    return "restrict,command=\"" + SFTP + "\" " + publicKey + " " + mark(dataNode);
  }

  /** The comment that marks {@code dataNode}'s line (also in the shared user's file of before). */
  public static String mark(String dataNode) {
    return TargetLayout.LEGACY_USER + "@" + dataNode;
  }

  /**
   * The target's catalog for copies into {@code directory} from {@code dataNode}, whose account
   * there is {@code account} and whose key is {@code publicKey}.
   */
  public static Catalog build(
      TargetLayout.Account account, String dataNode, String publicKey, String directory) {
    String user = account.user();
    String home = account.home();
    Catalog.Builder c = Catalog.builder();
    c.add(new GroupResource(user));
    c.add(new DirectoryResource(TargetLayout.ROOT, ROOT_DIR));
    c.add(new DirectoryResource(TargetLayout.NODES, ROOT_DIR)).requires("dir:" + TargetLayout.ROOT);
    c.add(new DirectoryResource(home, ROOT_DIR)).requires("dir:" + TargetLayout.NODES);
    c.add(new UserResource(user, user, home, "/usr/sbin/nologin"))
        .requires("group:" + user, "dir:" + home);
    c.add(new DirectoryResource(home + "/.ssh", ROOT_DIR)).requires("dir:" + home);
    c.add(FileResource.of(account.authorizedKeys(), line(dataNode, publicKey) + "\n", ROOT_FILE))
        .requires("dir:" + home + "/.ssh");
    c.add(new DirectoryResource(directory, Attributes.of(user, user, "0700")))
        .requires("user:" + user, "dir:" + home);
    return c.build();
  }
}
