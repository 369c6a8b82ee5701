package dev.hoist.scaffold;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link Scaffold#create} made: the project directory, the skeleton used and every file
 * written (as {@code dir.resolve(relative)}, in the order written).
 */
public record ScaffoldResult(Path dir, String template, List<Path> written) {
  public ScaffoldResult {
    written = List.copyOf(written);
  }
}
