package dev.hoist.stack;

import dev.hoist.engine.Attributes;
import dev.hoist.engine.Catalog;
import dev.hoist.engine.DirectoryResource;
import dev.hoist.engine.ExecResource;
import dev.hoist.engine.GroupResource;
import dev.hoist.engine.UserResource;
import java.util.List;
import java.util.Optional;

/**
 * What the node named by {@code backup.to} needs to receive a data node's copies, and nothing more:
 * the system user {@code hoist-backup} (no shell, a root-owned home), its authorized_keys (root
 * 0644, so SFTP cannot rewrite it) with one line per data node, and the copy directory it owns
 * (0700). The line lets the key run only {@code internal-sftp}, limited to creating, writing and
 * renaming files that are made read-only ({@code -u 0277}): no shell, no forwarding, no reading, no
 * removing. docs/backups.md.
 */
public final class BackupTargetStack {
  public static final String USER = BackupConfig.TARGET_USER;
  public static final String HOME = "/var/lib/hoist-backup";
  public static final String AUTHORIZED_KEYS = HOME + "/.ssh/authorized_keys";

  /** The forced command: the requests the runner's upload (put, rename) needs, and no others. */
  static final String SFTP = "internal-sftp -u 0277 -p open,close,write,rename,realpath";

  // Replaces this data node's line (by its comment) and keeps every other node's, atomically.
  private static final String AUTHORIZE =
      """
      import os, sys
      path, line, mark = sys.argv[1:4]
      try:
          with open(path, encoding="utf-8") as f:
              old = f.read().splitlines()
      except FileNotFoundError:
          old = []
      keep = [l for l in old if l.strip() and not l.endswith(" " + mark)]
      tmp = path + ".hoist-tmp"
      fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
      with os.fdopen(fd, "w", encoding="utf-8") as out:
          out.write("\\n".join(keep + [line]) + "\\n")
          out.flush()
          os.fsync(out.fileno())
      os.chmod(tmp, 0o644)
      os.rename(tmp, path)
      """;

  private static final Attributes ROOT_DIR = Attributes.of("root", "root", "0755");

  private BackupTargetStack() {}

  /** The authorized_keys line for {@code dataNode}'s key ({@link BackupKey#parse}d). */
  public static String line(String dataNode, String publicKey) {
    return "restrict,command=\"" + SFTP + "\" " + publicKey + " " + mark(dataNode);
  }

  private static String mark(String dataNode) {
    return USER + "@" + dataNode;
  }

  /**
   * The target's catalog for copies of {@code directory} from {@code dataNode}, whose key is {@code
   * publicKey}.
   */
  public static Catalog build(String dataNode, String publicKey, String directory) {
    String line = line(dataNode, publicKey);
    Catalog.Builder c = Catalog.builder();
    c.add(new GroupResource(USER));
    c.add(new UserResource(USER, USER, HOME, "/usr/sbin/nologin")).requires("group:" + USER);
    c.add(new DirectoryResource(HOME, ROOT_DIR)).requires("user:" + USER);
    c.add(new DirectoryResource(HOME + "/.ssh", ROOT_DIR)).requires("dir:" + HOME);
    c.add(
            new ExecResource(
                "backup-authorize-" + dataNode,
                List.of(
                    "/usr/bin/python3",
                    "-I",
                    "-c",
                    AUTHORIZE,
                    AUTHORIZED_KEYS,
                    line,
                    mark(dataNode)),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of("grep", "-qxF", "--", line, AUTHORIZED_KEYS),
                false))
        .requires("dir:" + HOME + "/.ssh");
    c.add(new DirectoryResource(directory, Attributes.of(USER, USER, "0700")))
        .requires("user:" + USER, "dir:" + HOME);
    return c.build();
  }
}
