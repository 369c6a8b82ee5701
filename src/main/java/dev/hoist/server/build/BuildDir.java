package dev.hoist.server.build;

import dev.hoist.build.BuildTree;
import dev.hoist.build.BuildUser;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Where a commit is built: a new temporary directory holding {@code src/}, a copy of the commit's
 * tree, and {@code home/}, the build's HOME (an npm or pip cache, a tool's config), both handed to
 * the build user; removed, home and all, with the build. The server's own tree is never the
 * build's: what the server deploys is its copy of {@code src/} taken back (BuildOutput).
 *
 * <p>The directory itself stays the server's (0711): a build that owned it could rename it and put
 * a link in its place, and the server would take back the {@code src/} of wherever that points.
 */
final class BuildDir {
  private BuildDir() {}

  /** A new build directory with {@code tree}'s files in {@code src/}, owned by {@code user}. */
  static Path make(Path tree, BuildUser user) throws IOException {
    // Made 0700 by the server and filled before it is handed over: nobody can plant anything in it
    // meanwhile.
    Path dir = Files.createTempDirectory("hoist-build-" + tree.getFileName() + "-");
    try {
      copy(tree, Files.createDirectory(src(dir)));
      Files.createDirectory(home(dir));
      if (!user.self()) {
        // Only src/ and home/ are the build's; it may pass through the top, not change it.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        BuildTree.adopt(src(dir), user);
        BuildTree.adopt(home(dir), user);
      }
      return dir;
    } catch (IOException | RuntimeException e) {
      BuildTree.delete(dir);
      throw e;
    }
  }

  /**
   * Removes {@code dir}: what src/ and home/ hold as the user who owns them (root never walks the
   * build's files), then those two and the top, empty by then, by the server (rmdir follows no link
   * and removes nothing but an empty directory).
   */
  static void remove(Path dir) throws IOException {
    for (Path p : new Path[] {src(dir), home(dir)}) {
      if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        BuildTree.remove(p);
        Files.deleteIfExists(p);
      }
    }
    Files.deleteIfExists(dir);
  }

  static Path src(Path dir) {
    return dir.resolve("src");
  }

  static Path home(Path dir) {
    return dir.resolve("home");
  }

  /**
   * {@code from} (the server's own tree, nobody else writes it) into {@code to}; links as links.
   */
  private static void copy(Path from, Path to) throws IOException {
    Files.walkFileTree(
        from,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs)
              throws IOException {
            if (!d.equals(from)) {
              Files.createDirectory(to.resolve(from.relativize(d).toString()));
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.copy(
                file,
                to.resolve(from.relativize(file).toString()),
                LinkOption.NOFOLLOW_LINKS,
                StandardCopyOption.COPY_ATTRIBUTES);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
