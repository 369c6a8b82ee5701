package dev.hoist.build;

import dev.hoist.project.Spec;
import dev.hoist.release.ReleaseSource;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A clean copy of a project to build in: exactly the files a release would ship without a build
 * (what git tracks plus {@code include:}, never .git, .env, virtualenvs, node_modules, shared
 * dirs), in a new directory that belongs to the build user. Closing it removes it, as that user.
 */
public final class BuildTree implements AutoCloseable {
  private final Path dir;
  private final BuildUser user;

  private BuildTree(Path dir, BuildUser user) {
    this.dir = dir;
    this.user = user;
  }

  /** A copy of {@code spec}'s project in a new temporary directory, owned by {@code user}. */
  public static BuildTree copyOf(Spec spec, BuildUser user) throws IOException {
    Path source = spec.projectDir();
    ReleaseSource files = ReleaseSource.scan(source, spec.shared(), spec.include());
    // Made 0700 by root (when root) and filled before it is handed over: nobody else can plant
    // anything in it meanwhile.
    Path dir = Files.createTempDirectory("hoist-build-" + spec.app() + "-");
    BuildTree tree = new BuildTree(dir, user);
    try {
      for (Path rel : files.files()) {
        Path to = dir.resolve(rel.toString());
        Files.createDirectories(to.getParent());
        Files.copy(
            source.resolve(rel.toString()),
            to,
            LinkOption.NOFOLLOW_LINKS,
            StandardCopyOption.COPY_ATTRIBUTES);
      }
      if (!user.self()) {
        give(dir, user);
      }
      return tree;
    } catch (IOException | RuntimeException e) {
      tree.close();
      throw e;
    }
  }

  /**
   * {@code dir} (made by hoist, nobody else can write it yet) handed to {@code user} to build in;
   * closing removes it.
   */
  public static BuildTree adopt(Path dir, BuildUser user) throws IOException {
    if (!user.self()) {
      give(dir, user);
    }
    return new BuildTree(dir, user);
  }

  /** Removes {@code dir} as the user who owns it (never walking another user's tree as root). */
  public static void remove(Path dir) throws IOException {
    int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    BuildUser me = BuildUser.current();
    new BuildTree(dir, owner == me.uid() ? me : BuildUser.byUid(owner, false)).close();
  }

  /** The tree to build in and then package. */
  public Path dir() {
    return dir;
  }

  public BuildUser user() {
    return user;
  }

  private static void give(Path dir, BuildUser user) throws IOException {
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            own(file, user);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            own(d, user);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private static void own(Path p, BuildUser user) throws IOException {
    Files.setAttribute(p, "unix:gid", user.gid(), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(p, "unix:uid", user.uid(), LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * Removes the tree. Another user's tree is removed by that user (rm -rf as them), so root never
   * walks a tree whose entries the build could swap for links.
   */
  @Override
  public void close() {
    try {
      if (user.self()) {
        delete(dir);
        return;
      }
      Process rm =
          new ProcessBuilder(
                  user.wrap(List.of("/bin/rm", "-rf", "--one-file-system", "--", dir.toString())))
              .directory(new java.io.File("/"))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!rm.waitFor(60, TimeUnit.SECONDS)) {
        rm.destroyForcibly();
      }
    } catch (IOException e) {
      // A temporary directory left behind is not worth failing a deploy over.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public static void delete(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
