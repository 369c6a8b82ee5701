package dev.hoist.project;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One server Hoist reaches over SSH, as declared under {@code nodes:} in hoist.yml or the user's
 * config.
 *
 * @param keys private key files; empty means the SSH defaults (~/.ssh/id_ed25519, ...) and
 *     ssh-agent
 * @param jump a ProxyJump: the name of another node, or {@code [user@]host[:port]}
 * @param knownHosts the known_hosts file to verify the host key against; empty means
 *     ~/.ssh/known_hosts
 * @param connectTimeout how long to wait for the SSH connection; empty means 10 s
 * @param keepalive how often to check that an idle connection lives (3 missed answers end it);
 *     empty means 15 s
 * @param origin where it was declared ({@code file:line:column}), for messages
 */
public record NodeSpec(
    String name,
    String host,
    int port,
    String user,
    List<Path> keys,
    Optional<String> jump,
    Optional<Path> knownHosts,
    Optional<Duration> connectTimeout,
    Optional<Duration> keepalive,
    String origin) {
  public NodeSpec {
    keys = List.copyOf(keys);
  }

  /** {@code user@host:port}, as people write it. */
  public String address() {
    return user
        + "@"
        + (host.contains(":") ? "[" + host + "]" : host)
        + (port == 22 ? "" : ":" + port);
  }
}
