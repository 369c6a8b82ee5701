package dev.hoist.project;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Checks hoist.yml paths against the project directory, refusing any that could leave it. */
final class ProjectPaths {
  private final Path projectDir;

  ProjectPaths(Path projectDir) {
    this.projectDir = projectDir;
  }

  /**
   * Normalises a relative path to {@code a/b} form (no {@code ./}, no trailing slash); rejects any
   * way out.
   */
  static String relative(String text) {
    if (text.startsWith("/") || text.startsWith("~")) {
      throw new InvalidValue(
          "expected a path relative to the project, found '" + text + "'",
          "drop the leading '" + text.charAt(0) + "'");
    }
    if (text.contains("\\")) {
      throw new InvalidValue(
          "expected '/' between directories, found '" + text + "'",
          "write it with forward slashes");
    }
    List<String> parts = new ArrayList<>();
    for (String part : text.split("/")) {
      if (part.equals("..")) {
        throw new InvalidValue(
            "expected a path that stays inside the project, found '" + text + "'",
            "move what it needs into the project directory; only that is deployed");
      }
      if (!part.isEmpty() && !part.equals(".")) {
        parts.add(part);
      }
    }
    if (parts.isEmpty()) {
      throw new InvalidValue(
          "expected a path to something inside the project, found '" + text + "'",
          "name a file or directory");
    }
    return String.join("/", parts);
  }

  /** A regular file in the project, as a normalised relative path. */
  String file(String text) {
    String rel = relative(text);
    Path path = existing(rel);
    if (!Files.isRegularFile(path)) {
      throw new InvalidValue("'" + rel + "' is a directory, expected a file", "point it at a file");
    }
    return rel;
  }

  /** A directory in the project, as a normalised relative path. */
  String directory(String text) {
    String rel = relative(text);
    Path path = existing(rel);
    if (!Files.isDirectory(path)) {
      throw new InvalidValue(
          "'" + rel + "' is a file, expected a directory", "point it at a directory");
    }
    return rel;
  }

  /**
   * A directory for nginx to serve. With release hooks it need not exist yet, since a hook such as
   * Django's collectstatic may generate it in each release; without hooks it must exist.
   */
  String staticDirectory(String text, boolean hooksMayCreate) {
    String rel = relative(text);
    if (Files.exists(projectDir.resolve(rel), LinkOption.NOFOLLOW_LINKS)) {
      return directory(rel);
    }
    if (hooksMayCreate) {
      return rel;
    }
    throw new InvalidValue(
        "'" + rel + "' does not exist in the project",
        "create it, fix the path, or generate it in release.before_activate (e.g. collectstatic)");
  }

  private Path existing(String rel) {
    Path path = projectDir.resolve(rel);
    if (!Files.exists(path)) {
      throw new InvalidValue(
          "'" + rel + "' does not exist in the project",
          "create it, or fix the path (relative to " + shown() + ")");
    }
    try {
      // A symlink could smuggle in files from outside the project, which are not deployed with it.
      if (!path.toRealPath().startsWith(projectDir.toRealPath())) {
        throw new InvalidValue(
            "'" + rel + "' leads outside the project through a symlink",
            "copy what it needs into the project");
      }
    } catch (IOException e) {
      throw new InvalidValue(
          "'" + rel + "' cannot be read: " + e.getMessage(), "check its permissions");
    }
    return path;
  }

  private String shown() {
    String dir = projectDir.toString();
    return dir.isEmpty() ? "." : dir;
  }
}
