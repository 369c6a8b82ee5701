package dev.hoist.scaffold;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/** The skeletons shipped in Hoist's jar, found through {@code skeletons/index.txt}. */
final class BuiltInSkeletons implements SkeletonSource {
  private static final String ROOT = "/dev/hoist/skeletons/";

  private final List<String> index;

  BuiltInSkeletons() {
    // A jar's resources cannot be listed, hence the index; blank lines and # comments are skipped.
    this.index =
        read("index.txt")
            .lines()
            .map(String::strip)
            .filter(line -> !line.isEmpty() && !line.startsWith("#"))
            .toList();
  }

  @Override
  public SortedSet<String> names() {
    SortedSet<String> names = new TreeSet<>();
    for (String entry : index) {
      names.add(entry.substring(0, entry.indexOf('/')));
    }
    return names;
  }

  @Override
  public Optional<Skeleton> load(String name) {
    SortedMap<String, byte[]> files = new TreeMap<>();
    String prefix = name + "/";
    for (String entry : index) {
      if (entry.startsWith(prefix)) {
        files.put(entry.substring(prefix.length()), bytes(entry));
      }
    }
    return files.isEmpty()
        ? Optional.empty()
        : Optional.of(new Skeleton(name, "built-in skeleton " + name, files));
  }

  private static String read(String resource) {
    return new String(bytes(resource), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String resource) {
    try (InputStream in = BuiltInSkeletons.class.getResourceAsStream(ROOT + resource)) {
      if (in == null) {
        // The index and the files are built together: a gap is a packaging bug, not a user error.
        throw new IllegalStateException("missing built-in resource " + ROOT + resource);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
