package dev.hoist.project;

import java.nio.file.Path;
import java.util.Optional;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * The files a pushed hoist.yml may name when {@code hoist server} deploys it: the server may run as
 * root, so a path there must lead to a file of the project tree (relative, no {@code ~}, no {@code
 * ..}, no symlink out), never to a file of the server's machine that the pusher could not read. SSH
 * keys and known_hosts are the server's own ({@link InventoryReader}): a pushed hoist.yml names
 * none.
 */
final class PushedPaths {
  static final String REFUSED = "hoist server does not allow this in a pushed hoist.yml";
  private final YamlNodes nodes;
  private final Path projectDir;
  private final ProjectPaths paths;

  PushedPaths(YamlNodes nodes, Path projectDir) {
    this.nodes = nodes;
    this.projectDir = projectDir;
    this.paths = new ProjectPaths(projectDir);
  }

  /** A file of the project, or a problem at the value naming what to do instead. */
  Optional<Path> file(Node node, String key, String instead) {
    return nodes.parse(
        node,
        key,
        "a file in the project",
        text -> {
          try {
            return projectDir.resolve(paths.file(text)).toAbsolutePath().normalize();
          } catch (InvalidValue e) {
            throw new InvalidValue(
                REFUSED + ": only files of the project are read (" + e.getMessage() + ")", instead);
          }
        });
  }
}
