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

  /** A host (name or IP address, IPv6 without brackets) and a TCP port. */
  public record Listen(String host, int port) {
    @Override
    public String toString() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }
}
