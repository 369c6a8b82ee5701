package dev.hoist.fleet;

import dev.hoist.project.Inventory;
import dev.hoist.project.NodeAddress;
import dev.hoist.project.NodeSpec;
import dev.hoist.ssh.SshTarget;

/** Turns inventory nodes into SSH targets, following jump hosts through the inventory. */
public final class SshTargets {
  private SshTargets() {}

  /**
   * The target for {@code node}. A jump names another node (which may have its own jump) or is an
   * address, which then uses this node's keys and known_hosts.
   */
  public static SshTarget of(Inventory inventory, NodeSpec node) {
    SshTarget target =
        SshTarget.of(node.name(), node.host())
            .withPort(node.port())
            .withUser(node.user())
            .withIdentityFiles(node.keys());
    if (node.connectTimeout().isPresent()) {
      target = target.withConnectTimeout(node.connectTimeout().get());
    }
    if (node.keepalive().isPresent()) {
      target = target.withKeepAlive(node.keepalive().get());
    }
    if (node.knownHosts().isPresent()) {
      target = target.withKnownHosts(node.knownHosts().get());
    }
    if (node.jump().isEmpty()) {
      return target;
    }
    String jump = node.jump().get();
    NodeSpec declared = inventory.nodes().get(jump);
    if (declared != null) {
      return target.withJump(of(inventory, declared));
    }
    NodeAddress a = NodeAddress.parse(jump);
    SshTarget hop =
        SshTarget.of(jump, a.host())
            .withPort(a.port().orElse(22))
            .withUser(a.user().orElse(node.user()))
            .withIdentityFiles(node.keys())
            .withKnownHosts(target.knownHosts());
    return target.withJump(hop);
  }
}
