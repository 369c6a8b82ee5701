package dev.hoist.release;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The project files that make a release: everything in the project but VCS data, caches,
 * virtualenvs, the shared dirs (their data lives on the node) and what {@code .hoistignore} lists.
 * Its hash identifies the content, so an unchanged project makes no new release.
 */
public final class ReleaseSource {
  private static final List<String> ALWAYS_IGNORED =
      List.of(
          ".git",
          ".hg",
          ".svn",
          ".hoist",
          "__pycache__",
          "*.pyc",
          ".venv",
          "venv",
          ".mypy_cache",
          ".pytest_cache",
          "node_modules",
          ".DS_Store");

  private final Path dir;
  private final List<Path> files;

  private ReleaseSource(Path dir, List<Path> files) {
    this.dir = dir;
    this.files = files;
  }

  /** Lists the files of {@code projectDir} that ship, in a stable order. */
  public static ReleaseSource scan(Path projectDir, List<String> sharedDirs) throws IOException {
    List<PathMatcher> ignored = new ArrayList<>();
    List<String> patterns = new ArrayList<>(ALWAYS_IGNORED);
    Path ignoreFile = projectDir.resolve(".hoistignore");
    if (Files.isRegularFile(ignoreFile)) {
      for (String line : Files.readAllLines(ignoreFile)) {
        String p = line.strip();
        if (!p.isEmpty() && !p.startsWith("#")) {
          patterns.add(p.endsWith("/") ? p.substring(0, p.length() - 1) : p);
        }
      }
    }
    for (String p : patterns) {
      ignored.add(FileSystems.getDefault().getPathMatcher("glob:" + p));
    }
    List<Path> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(projectDir)) {
      walk.filter(Files::isRegularFile)
          .map(projectDir::relativize)
          .filter(rel -> !isIgnored(rel, ignored, sharedDirs))
          .sorted()
          .forEach(files::add);
    }
    return new ReleaseSource(projectDir, files);
  }

  private static boolean isIgnored(Path rel, List<PathMatcher> ignored, List<String> sharedDirs) {
    String unix = rel.toString().replace('\\', '/');
    for (String shared : sharedDirs) {
      if (unix.equals(shared) || unix.startsWith(shared + "/")) {
        return true;
      }
    }
    for (Path part : rel) {
      for (PathMatcher m : ignored) {
        if (m.matches(part)) {
          return true;
        }
      }
    }
    for (PathMatcher m : ignored) {
      if (m.matches(rel)) {
        return true;
      }
    }
    return false;
  }

  public List<Path> files() {
    return files;
  }

  /**
   * sha256 over every file's path, executable bit and content, plus {@code extra} (e.g. settings).
   */
  public String hash(String extra) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    for (Path rel : files) {
      Path file = dir.resolve(rel);
      digest.update(
          (rel + "\0" + Files.isExecutable(file) + "\0").getBytes(StandardCharsets.UTF_8));
      digest.update(Files.readAllBytes(file));
      digest.update((byte) 0);
    }
    digest.update(extra.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(digest.digest());
  }

  /** A gzipped tar of the files, as the agent unpacks it. */
  public byte[] archive() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Path rel : files) {
        Path file = dir.resolve(rel);
        TarArchiveEntry entry = new TarArchiveEntry(rel.toString().replace('\\', '/'));
        entry.setSize(Files.size(file));
        entry.setMode(Files.isExecutable(file) ? 0100755 : 0100644);
        entry.setModTime(Files.getLastModifiedTime(file));
        tar.putArchiveEntry(entry);
        Files.copy(file, tar);
        tar.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }
}
