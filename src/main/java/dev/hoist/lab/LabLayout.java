package dev.hoist.lab;

import java.nio.file.Path;

/**
 * Where the lab keeps its files: what lasts (the cached base, keys, state) under {@code home}, what
 * a node needs while it exists (its disk, its root mount, its console log) under {@code run}.
 */
public record LabLayout(Path home, Path run) {
  public static LabLayout standard() {
    return new LabLayout(Path.of("/var/lib/hoist-lab"), Path.of("/run/hoist-lab"));
  }

  /** The Debian root filesystem every runit node shares read-only. */
  public Path base() {
    return base(Init.RUNIT);
  }

  /** The Debian root filesystem every node of this kind shares read-only. */
  public Path base(Init init) {
    return home.resolve(init.baseDir());
  }

  /** The lab's client key, authorized for root, deploy and guarded on every node. */
  public Path clientKey() {
    return home.resolve("id_ed25519");
  }

  /** Every lab node's host keys, one line per key, for StrictHostKeyChecking. */
  public Path knownHosts() {
    return home.resolve("known_hosts");
  }

  public Path hostKeys() {
    return home.resolve("hostkeys");
  }

  public Path hostKeys(String node) {
    return hostKeys().resolve(node);
  }

  public Path state() {
    return home.resolve("state.json");
  }

  public Path lock() {
    return home.resolve("lock");
  }

  public Path node(String node) {
    return run.resolve(node);
  }

  /** The node's own size-limited tmpfs, holding the overlay's upper and work dirs. */
  public Path disk(String node) {
    return node(node).resolve("disk");
  }

  /** The node's root: the base with its disk laid over it. */
  public Path root(String node) {
    return node(node).resolve("root");
  }

  public Path console(String node) {
    return node(node).resolve("console.log");
  }
}
