package dev.hoist.server.hooks;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.Collection;
import java.util.List;

/**
 * A project's {@code watch:} list: a plain entry matches the file itself and everything under it
 * as a directory ({@code src} matches {@code src/app.py}); an entry with {@code * ? [ {} is a glob
 * ({@code app/**}{@code /*.py}).
 */
final class WatchPaths {
  private WatchPaths() {}

  /** Whether any of {@code changed} falls under one of {@code watch}. */
  static boolean touched(List<String> watch, Collection<String> changed) {
    return changed.stream().anyMatch(path -> watch.stream().anyMatch(w -> matches(w, path)));
  }

  static boolean matches(String entry, String path) {
    if (entry.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{')) {
      PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + entry);
      return glob.matches(Path.of(path));
    }
    return path.equals(entry) || path.startsWith(entry + "/");
  }
}
