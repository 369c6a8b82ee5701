package dev.hoist.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The lab's SSH keys: one client key authorized on every node, and per node its own host keys,
 * cached so that known_hosts stays the same across {@code lab down} and {@code lab up}.
 */
final class LabKeys {
  /** ed25519 for modern clients, ECDSA P-256 for any client without ed25519 support. */
  static final List<String> HOST_KEY_TYPES = List.of("ed25519", "ecdsa");

  private final LabLayout layout;
  private final Runner runner;

  LabKeys(LabLayout layout, Runner runner) {
    this.layout = layout;
    this.runner = runner;
  }

  void ensureClientKey() throws LabException, InterruptedException {
    if (!Files.exists(layout.clientKey())) {
      keygen("ed25519", layout.clientKey(), "hoist-lab");
    }
  }

  String clientPublicKey() throws LabException {
    return read(Path.of(layout.clientKey() + ".pub"));
  }

  /** Generates the node's host keys once; later calls find them cached. */
  void ensureHostKeys(NodeSpec node) throws LabException, InterruptedException {
    for (String type : HOST_KEY_TYPES) {
      Path key = hostKey(node, type);
      if (!Files.exists(key)) {
        keygen(type, key, "root@" + node.name());
      }
    }
  }

  Path hostKey(NodeSpec node, String type) {
    return layout.hostKeys(node.name()).resolve("ssh_host_" + type + "_key");
  }

  /**
   * Rewrites known_hosts from every cached host key: one line per key, naming the node and its
   * address.
   */
  void writeKnownHosts() throws LabException {
    List<String> lines = new ArrayList<>();
    for (NodeSpec node : nodesWithHostKeys()) {
      for (String type : HOST_KEY_TYPES) {
        Path pub = Path.of(hostKey(node, type) + ".pub");
        if (Files.exists(pub)) {
          lines.add(knownHostsLine(node, read(pub)));
        }
      }
    }
    try {
      Path tmp = layout.knownHosts().resolveSibling("known_hosts.tmp");
      Files.write(tmp, lines);
      Files.move(
          tmp,
          layout.knownHosts(),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new LabException("cannot write " + layout.knownHosts() + ": " + e.getMessage(), e);
    }
  }

  /** "lab1,10.213.77.11 ssh-ed25519 AAAA...": the key's comment is dropped. */
  static String knownHostsLine(NodeSpec node, String publicKey) {
    String[] f = publicKey.strip().split("\\s+");
    return node.name() + "," + node.address() + " " + f[0] + " " + f[1];
  }

  private List<NodeSpec> nodesWithHostKeys() throws LabException {
    if (!Files.isDirectory(layout.hostKeys())) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(layout.hostKeys())) {
      return dirs.map(d -> NodeSpec.parse(d.getFileName().toString()))
          .flatMap(java.util.Optional::stream)
          .sorted(NodeSpec.ORDER)
          .toList();
    } catch (IOException e) {
      throw new LabException("cannot list " + layout.hostKeys() + ": " + e.getMessage(), e);
    }
  }

  private void keygen(String type, Path key, String comment)
      throws LabException, InterruptedException {
    try {
      Files.createDirectories(key.getParent());
    } catch (IOException e) {
      throw new LabException("cannot create " + key.getParent() + ": " + e.getMessage(), e);
    }
    runner.run(
        List.of("ssh-keygen", "-q", "-t", type, "-N", "", "-C", comment, "-f", key.toString()));
  }

  private static String read(Path file) throws LabException {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new LabException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
