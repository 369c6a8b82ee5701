package dev.hoist.scaffold;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * Writes rendered files into a project directory, never over an existing file: every target is
 * checked before the first write, and a write that fails half-way removes what it made.
 */
final class ProjectWriter {

  /** Writes {@code files} (relative '/' paths) under {@code dir}; returns the paths written. */
  List<Path> write(Path projectDir, SortedMap<String, byte[]> files) throws ScaffoldException {
    // Absolute, so that creating parents always ends at an existing root.
    Path dir = projectDir.toAbsolutePath().normalize();
    List<String> clashes = clashes(dir, files.keySet());
    if (!clashes.isEmpty()) {
      throw new ScaffoldException(
          "would overwrite %s in %s; nothing was written. Move them away or pick another directory"
              .formatted(String.join(", ", clashes), dir));
    }
    List<Path> written = new ArrayList<>();
    List<Path> made = new ArrayList<>(); // files and directories, for undo
    try {
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        Path target = dir.resolve(file.getKey());
        createDirectories(target.getParent(), made);
        // CREATE_NEW keeps the promise even against a file that appeared since the check.
        Files.write(
            target, file.getValue(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        made.add(target);
        written.add(target);
        if (startsWithShebang(file.getValue())) {
          makeExecutable(target);
        }
      }
    } catch (IOException e) {
      undo(made);
      String why = e instanceof FileAlreadyExistsException ? "it appeared meanwhile" : e.toString();
      throw new ScaffoldException(
          "could not write " + dir + " (" + why + "); removed what was written", e);
    }
    return written;
  }

  private static List<String> clashes(Path dir, Iterable<String> relatives) {
    List<String> clashes = new ArrayList<>();
    for (String relative : relatives) {
      // A file standing where a directory must go is as much in the way as the file itself.
      Path at = dir;
      for (String segment : relative.split("/")) {
        at = at.resolve(segment);
        boolean last = at.equals(dir.resolve(relative));
        if (Files.exists(at, LinkOption.NOFOLLOW_LINKS) && (last || !Files.isDirectory(at))) {
          String shown = dir.relativize(at).toString();
          if (!clashes.contains(shown)) {
            clashes.add(shown);
          }
          break;
        }
      }
    }
    return clashes;
  }

  private static void createDirectories(Path dir, List<Path> made) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    createDirectories(dir.getParent(), made);
    Files.createDirectory(dir);
    made.add(dir);
  }

  // Resources in a jar carry no file modes; a script's #! line says it is meant to be run.
  private static boolean startsWithShebang(byte[] content) {
    return content.length >= 2 && content[0] == '#' && content[1] == '!';
  }

  private static void makeExecutable(Path file) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    if (view == null) {
      return;
    }
    Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
    perms.addAll(view.readAttributes().permissions());
    // Like chmod +x under the umask: execute for whoever may read.
    if (perms.contains(PosixFilePermission.OWNER_READ)) {
      perms.add(PosixFilePermission.OWNER_EXECUTE);
    }
    if (perms.contains(PosixFilePermission.GROUP_READ)) {
      perms.add(PosixFilePermission.GROUP_EXECUTE);
    }
    if (perms.contains(PosixFilePermission.OTHERS_READ)) {
      perms.add(PosixFilePermission.OTHERS_EXECUTE);
    }
    view.setPermissions(perms);
  }

  private static void undo(List<Path> made) {
    for (int i = made.size() - 1; i >= 0; i--) {
      try {
        Files.deleteIfExists(made.get(i));
      } catch (IOException ignored) {
        // Best effort: the error that brought us here is the one worth reporting.
      }
    }
  }
}
