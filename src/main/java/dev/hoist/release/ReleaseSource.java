package dev.hoist.release;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * The project files that make a release. In a git checkout: the files git tracks plus what {@code
 * include:} matches; otherwise the whole tree. Either way never VCS data, {@code .env} files,
 * hoist's own state, caches, virtualenvs, the shared dirs (their data lives on the node) or what
 * {@code .hoistignore} lists. A symlink stays a symlink, and one pointing outside the project is
 * refused. Its hash identifies the content, so an unchanged project makes no new release.
 */
public final class ReleaseSource {
  // Never shipped, whatever .hoistignore or include say: secrets and repository data.
  private static final PathRules NEVER = PathRules.parse(List.of(".git", ".env", ".env.*"));
  private static final List<String> ALWAYS_IGNORED =
      List.of(
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
    return scan(projectDir, sharedDirs, List.of());
  }

  /**
   * Lists the files of {@code projectDir} that ship, in a stable order; {@code include}: patterns
   * of files to ship from a git checkout besides those git tracks.
   *
   * @throws UnshippableException if a symlink that would ship points outside the project, or git
   *     tracks nothing in a checkout
   */
  public static ReleaseSource scan(Path projectDir, List<String> sharedDirs, List<String> include)
      throws IOException {
    List<String> patterns = new ArrayList<>(ALWAYS_IGNORED);
    sharedDirs.forEach(d -> patterns.add("/" + d));
    Path ignoreFile = projectDir.resolve(".hoistignore");
    if (Files.isRegularFile(ignoreFile)) {
      patterns.addAll(Files.readAllLines(ignoreFile));
    }
    PathRules ignored = PathRules.parse(patterns);
    List<Path> files = new ArrayList<>();
    for (String rel :
        ProjectFiles.list(
            projectDir,
            PathRules.parse(include),
            (r, isDir) -> NEVER.matches(r, isDir) || ignored.matches(r, isDir))) {
      if (!NEVER.matches(rel, false) && !ignored.matches(rel, false)) {
        checkLink(projectDir, rel);
        files.add(Path.of(rel));
      }
    }
    return new ReleaseSource(projectDir, List.copyOf(files));
  }

  /** A symlink must stay inside the project, written relative or resolved. */
  private static void checkLink(Path projectDir, String rel) throws IOException {
    Path link = projectDir.resolve(rel);
    if (!Files.isSymbolicLink(link)) {
      return;
    }
    Path target = Files.readSymbolicLink(link);
    Path base = projectDir.toAbsolutePath().normalize();
    Path resolved = link.toAbsolutePath().getParent().resolve(target).normalize();
    boolean inside = !target.isAbsolute() && resolved.startsWith(base) && !resolved.equals(base);
    if (inside && Files.exists(link)) {
      // Through other links on the way, it must still end inside.
      Path real = link.toRealPath();
      inside = real.startsWith(base.toRealPath()) && !real.equals(base.toRealPath());
    }
    if (!inside) {
      throw UnshippableException.outsideLink(rel, target.toString());
    }
  }

  public List<Path> files() {
    return files;
  }

  /**
   * sha256 over every file's path, executable bit and content (a symlink's target), plus {@code
   * extra} (e.g. settings).
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
      if (Files.isSymbolicLink(file)) {
        digest.update(
            (rel + "\0link\0" + Files.readSymbolicLink(file) + "\0")
                .getBytes(StandardCharsets.UTF_8));
        continue;
      }
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
        String name = rel.toString().replace('\\', '/');
        if (Files.isSymbolicLink(file)) {
          TarArchiveEntry link = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
          link.setLinkName(Files.readSymbolicLink(file).toString());
          link.setMode(0120777);
          tar.putArchiveEntry(link);
          tar.closeArchiveEntry();
          continue;
        }
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(Files.size(file));
        entry.setMode(Files.isExecutable(file) ? 0100755 : 0100644);
        entry.setModTime(Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS));
        tar.putArchiveEntry(entry);
        Files.copy(file, tar);
        tar.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }
}
