package dev.hoist.scaffold;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Skeletons in the user's template directory: each {@code <root>/skeletons/<name>/} is one. */
final class UserSkeletons implements SkeletonSource {
  private final Path dir;

  UserSkeletons(Path templateRoot) {
    this.dir = templateRoot.resolve("skeletons");
  }

  @Override
  public SortedSet<String> names() {
    SortedSet<String> names = new TreeSet<>();
    if (!Files.isDirectory(dir)) {
      return names;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path entry : entries.toList()) {
        String name = entry.getFileName().toString();
        // Hidden entries are editor or VCS leftovers (.git, .DS_Store), not skeletons.
        if (!name.startsWith(".") && Files.isDirectory(entry)) {
          names.add(name);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list user skeletons in " + dir, e);
    }
    return names;
  }

  @Override
  public Optional<Skeleton> load(String name) throws ScaffoldException {
    if (!names().contains(name)) {
      return Optional.empty();
    }
    Path root = dir.resolve(name);
    SortedMap<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      List<Path> regular = walk.filter(Files::isRegularFile).toList();
      for (Path file : regular) {
        files.put(slashed(root.relativize(file)), Files.readAllBytes(file));
      }
    } catch (IOException e) {
      throw new ScaffoldException("cannot read user skeleton " + root + ": " + e, e);
    }
    if (files.isEmpty()) {
      throw new ScaffoldException("user skeleton " + root + " has no files");
    }
    return Optional.of(new Skeleton(name, "user skeleton " + root, files));
  }

  private static String slashed(Path relative) {
    StringBuilder out = new StringBuilder();
    for (Path part : relative) {
      if (!out.isEmpty()) {
        out.append('/');
      }
      out.append(part);
    }
    return out.toString();
  }
}
