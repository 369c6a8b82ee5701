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

/**
 * Where a commit is built: a new 0700 temporary directory holding {@code src/}, a copy of the
 * commit's tree, and {@code home/}, the build's HOME (an npm or pip cache, a tool's config), handed
 * whole to the build user; removed, home and all, with the build. The server's own tree is never
 * the build's: what the server deploys is its copy of {@code src/} taken back (BuildOutput).
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
      BuildTree.adopt(dir, user);
      return dir;
    } catch (IOException | RuntimeException e) {
      BuildTree.delete(dir);
      throw e;
    }
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
