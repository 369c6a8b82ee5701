package dev.hoist.server;

import java.nio.file.Path;
import java.util.Map;

/**
 * A {@code server.yml}: where the server listens, where it keeps its data, and the projects it
 * deploys on a push.
 */
public record ServerConfig(
    Path file, Listen listen, Path data, Map<String, ProjectConfig> projects) {
  public static final Listen DEFAULT_LISTEN = new Listen("127.0.0.1", 7500);
  public static final Path DEFAULT_DATA = Path.of("/var/lib/hoist-server");

  /**
   * Where {@code project}'s {@code git push hoist@...} pushes land under {@code data}; a project
   * whose {@code repo:} is this takes pushes (and may go without a webhook secret).
   */
  public static Path pushRepository(Path data, String project) {
    return data.resolve("git").resolve(project + ".git");
  }

  /** Whether {@code project} deploys what is pushed to this server. */
  public boolean takesPushes(ProjectConfig project) {
    return project.repo().equals(pushRepository(data, project.name()).toString());
  }

  /** A host (name or IP address, IPv6 without brackets) and a TCP port. */
  public record Listen(String host, int port) {
    @Override
    public String toString() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }
}
