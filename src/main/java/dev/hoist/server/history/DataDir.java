package dev.hoist.server.history;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The server's data directory: made 0700 if missing; an existing one must be a real directory (not
 * a link) owned by the server's user, and is narrowed to 0700, since it holds the history and the
 * token hashes.
 */
final class DataDir {
  private DataDir() {}

  /**
   * @throws IOException naming the directory and what is wrong with it
   */
  static Path prepare(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    PosixFileAttributes attributes =
        Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!attributes.isDirectory()) {
      throw new IOException(
          dir + " is not a directory (a link or a file is not used as the data dir)");
    }
    String me = System.getProperty("user.name");
    if (!attributes.owner().getName().equals(me)) {
      throw new IOException(
          dir
              + " belongs to "
              + attributes.owner().getName()
              + ", not to "
              + me
              + " who runs the server");
    }
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    return dir;
  }
}
