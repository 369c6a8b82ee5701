package dev.hoist.release;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;

/**
 * Lists a project's candidate files: in a git checkout, what git tracks (staged files included,
 * those deleted in the work tree left out) plus what {@code include:} matches; otherwise every file
 * of the tree. Regular files and symlinks only, as sorted project-relative paths.
 */
final class ProjectFiles {
  private static final long GIT_TIMEOUT_SECONDS = 60;

  private ProjectFiles() {}

  /**
   * @param skipDir directories not to walk into (their files could never ship)
   */
  static List<String> list(Path projectDir, PathRules include, BiPredicate<String, Boolean> skipDir)
      throws IOException {
    Optional<Path> gitRoot = gitRoot(projectDir);
    if (gitRoot.isEmpty()) {
      return walk(projectDir, (rel, dir) -> true, skipDir).stream().sorted().toList();
    }
    List<String> tracked = tracked(projectDir, gitRoot.get());
    if (tracked.isEmpty()) {
      // Most likely a new project not added yet: shipping nothing would fail far from the cause.
      String shown = projectDir.toString();
      throw UnshippableException.nothingTracked(shown.isEmpty() ? "." : shown);
    }
    TreeSet<String> files = new TreeSet<>(tracked);
    if (!include.isEmpty()) {
      files.addAll(walk(projectDir, include::matches, skipDir));
    }
    files.removeIf(rel -> !Files.exists(projectDir.resolve(rel), LinkOption.NOFOLLOW_LINKS));
    files.removeIf(rel -> Files.isDirectory(projectDir.resolve(rel), LinkOption.NOFOLLOW_LINKS));
    return List.copyOf(files);
  }

  /**
   * The work tree holding {@code dir}: the nearest directory at or above it with a .git repository
   * (a directory with objects/, or a worktree's or submodule's "gitdir:" file).
   */
  static Optional<Path> gitRoot(Path dir) throws IOException {
    for (Path d = dir.toAbsolutePath().normalize(); d != null; d = d.getParent()) {
      Path git = d.resolve(".git");
      if (Files.isDirectory(git.resolve("objects"), LinkOption.NOFOLLOW_LINKS)
          || Files.isRegularFile(git, LinkOption.NOFOLLOW_LINKS)
              && Files.readString(git).startsWith("gitdir:")) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }

  /** {@code git ls-files}: the index, so staged files count; paths relative to the project. */
  private static List<String> tracked(Path projectDir, Path root) throws IOException {
    // The checkout may belong to another user than the one running hoist (sudo): trust this one
    // repository, and keep git from running any helper program it configures.
    ProcessBuilder pb =
        new ProcessBuilder(
                "git",
                "-c",
                "safe.directory=" + root,
                "-c",
                "core.fsmonitor=false",
                "ls-files",
                "-z",
                "--cached",
                "--recurse-submodules")
            .directory(projectDir.toAbsolutePath().toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process git;
    try {
      git = pb.start();
    } catch (IOException e) {
      throw new IOException(
          "the project is in a git checkout (" + root + ") but git cannot run: " + e.getMessage(),
          e);
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Thread errReader = Thread.ofVirtual().start(() -> copy(git.getErrorStream(), err));
    byte[] out = git.getInputStream().readAllBytes();
    try {
      if (!git.waitFor(GIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        git.destroyForcibly();
        throw new IOException("git ls-files did not finish in " + GIT_TIMEOUT_SECONDS + " s");
      }
      errReader.join();
    } catch (InterruptedException e) {
      git.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while listing the files git tracks", e);
    }
    if (git.exitValue() != 0) {
      throw new IOException(
          "git ls-files failed in "
              + projectDir
              + ": "
              + err.toString(StandardCharsets.UTF_8).strip());
    }
    List<String> files = new ArrayList<>();
    for (String rel : new String(out, StandardCharsets.UTF_8).split("\0")) {
      if (!rel.isEmpty()) {
        files.add(rel);
      }
    }
    return files;
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    try {
      in.transferTo(out);
    } catch (IOException e) {
      // The exit status says what went wrong.
    }
  }

  /** Files and symlinks under {@code projectDir} that {@code keep} accepts, never inside .git. */
  private static List<String> walk(
      Path projectDir, BiPredicate<String, Boolean> keep, BiPredicate<String, Boolean> skipDir)
      throws IOException {
    List<String> files = new ArrayList<>();
    Files.walkFileTree(
        projectDir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            if (dir.equals(projectDir)) {
              return FileVisitResult.CONTINUE;
            }
            String rel = rel(projectDir, dir);
            return dir.getFileName().toString().equals(".git") || skipDir.test(rel, true)
                ? FileVisitResult.SKIP_SUBTREE
                : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            String rel = rel(projectDir, file);
            if ((attrs.isRegularFile() || attrs.isSymbolicLink()) && keep.test(rel, false)) {
              files.add(rel);
            }
            return FileVisitResult.CONTINUE;
          }
        });
    return files;
  }

  private static String rel(Path projectDir, Path path) {
    return projectDir.relativize(path).toString().replace('\\', '/');
  }
}
