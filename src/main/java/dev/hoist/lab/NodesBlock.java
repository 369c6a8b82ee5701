package dev.hoist.lab;

import java.nio.file.Path;
import java.util.Map;

/**
 * Renders lab nodes as a {@code nodes:} block to paste into hoist.yml or
 * ~/.config/hoist/config.yml.
 */
public final class NodesBlock {
  private NodesBlock() {}

  /**
   * One flow mapping per node, in the order given: {@code lab1: {host: ..., user: ..., key: ...,
   * known_hosts: ...}}.
   */
  public static String render(
      Map<String, String> addresses, String user, Path key, Path knownHosts) {
    StringBuilder s = new StringBuilder("nodes:\n");
    addresses.forEach(
        (name, address) ->
            s.append("  ")
                .append(name)
                .append(": {host: ")
                .append(address)
                .append(", user: ")
                .append(user)
                .append(", key: ")
                .append(key)
                .append(", known_hosts: ")
                .append(knownHosts)
                .append("}\n"));
    return s.toString();
  }
}
