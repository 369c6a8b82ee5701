package dev.hoist.lab;

import dev.hoist.lab.LabState.NetworkRecord;
import dev.hoist.node.ExecRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The lab's network on this machine: a bridge holding the gateway address, NAT to the outside for
 * DNS and HTTP(S) only (a dedicated nftables table), and a veth pair from the bridge into each
 * node's namespace. Set up one node at a time: creating namespaces and veths in parallel races in
 * the kernel.
 */
final class LabNetwork {
  static final String BRIDGE = "hoistlab0";

  /** Its own table, so removing the lab's rules is one command that touches nothing else. */
  static final String NFT_TABLE = "hoist_lab";

  private static final Path IP_FORWARD = Path.of("/proc/sys/net/ipv4/ip_forward");

  private final Runner runner;
  private final Consumer<String> warn;

  LabNetwork(Runner runner, Consumer<String> warn) {
    this.runner = runner;
    this.warn = warn;
  }

  static List<List<String>> bridgeCommands() {
    return List.of(
        List.of("ip", "link", "add", BRIDGE, "type", "bridge"),
        List.of(
            "ip", "address", "add", NodeSpec.GATEWAY + "/" + NodeSpec.PREFIX_LENGTH, "dev", BRIDGE),
        List.of("ip", "link", "set", BRIDGE, "up"));
  }

  /**
   * Nodes may reach the outside for DNS and HTTP(S) (enough for apt), masqueraded behind this
   * machine; other traffic from the lab, and new connections into it from outside, are dropped.
   * ("fwd" and "post" are nft keywords, hence the longer chain names.)
   */
  static String nftRules() {
    return """
        table ip %1$s {
          chain forward_lab {
            type filter hook forward priority filter; policy accept;
            iifname "%2$s" oifname != "%2$s" udp dport 53 accept
            iifname "%2$s" oifname != "%2$s" tcp dport { 53, 80, 443 } accept
            iifname "%2$s" oifname != "%2$s" drop
            oifname "%2$s" iifname != "%2$s" ct state established,related accept
            oifname "%2$s" iifname != "%2$s" drop
          }
          chain postrouting_lab {
            type nat hook postrouting priority srcnat; policy accept;
            ip saddr %3$s oifname != "%2$s" masquerade
          }
        }
        """
        .formatted(NFT_TABLE, BRIDGE, NodeSpec.SUBNET);
  }

  static List<List<String>> attachCommands(NodeSpec node) {
    return List.of(
        List.of("ip", "netns", "add", node.netns()),
        List.of(
            "ip",
            "link",
            "add",
            node.hostVeth(),
            "type",
            "veth",
            "peer",
            "name",
            "eth0",
            "netns",
            node.netns()),
        List.of("ip", "link", "set", node.hostVeth(), "master", BRIDGE, "up"),
        List.of(
            "ip",
            "-n",
            node.netns(),
            "address",
            "add",
            node.address() + "/" + NodeSpec.PREFIX_LENGTH,
            "dev",
            "eth0"),
        List.of("ip", "-n", node.netns(), "link", "set", "lo", "up"),
        List.of("ip", "-n", node.netns(), "link", "set", "eth0", "up"),
        List.of("ip", "-n", node.netns(), "route", "add", "default", "via", NodeSpec.GATEWAY));
  }

  /** Deleting the host end deletes its peer; deleting the namespace frees what is left. */
  static List<List<String>> detachCommands(NodeSpec node) {
    return List.of(
        List.of("ip", "link", "delete", node.hostVeth()),
        List.of("ip", "netns", "delete", node.netns()));
  }

  /** Bridge, NAT and forwarding, each only if missing; returns what to record for teardown. */
  Optional<NetworkRecord> ensureHost(Optional<NetworkRecord> recorded)
      throws LabException, InterruptedException {
    if (!exists(BRIDGE)) {
      runAll(bridgeCommands());
    }
    Optional<String> forwardBefore = recorded.flatMap(NetworkRecord::ipForwardBefore);
    try {
      if (!runner.attempt(List.of("nft", "list", "table", "ip", NFT_TABLE))) {
        runner.run(
            new ExecRequest(
                List.of("nft", "-f", "-"),
                nftRules().getBytes(StandardCharsets.UTF_8),
                Runner.TIMEOUT,
                null));
      }
      String before = Files.readString(IP_FORWARD).strip();
      if (!before.equals("1")) {
        Files.writeString(IP_FORWARD, "1\n");
        forwardBefore = forwardBefore.or(() -> Optional.of(before));
      }
    } catch (LabException | IOException e) {
      warn.accept(
          "lab nodes get no NAT to the outside (apt inside a node will not reach the archive): "
              + e.getMessage());
      return Optional.of(new NetworkRecord(BRIDGE, Optional.empty(), forwardBefore));
    }
    return Optional.of(new NetworkRecord(BRIDGE, Optional.of(NFT_TABLE), forwardBefore));
  }

  /**
   * Gives the node its namespace and veth; a half-made pair from an interrupted run is replaced.
   */
  void attach(NodeSpec node) throws LabException, InterruptedException {
    boolean veth = exists(node.hostVeth());
    boolean netns = Files.exists(netnsPath(node));
    if (veth && netns) {
      return;
    }
    if (veth || netns) {
      detach(node);
    }
    runAll(attachCommands(node));
  }

  void detach(NodeSpec node) throws InterruptedException {
    for (List<String> argv : detachCommands(node)) {
      runner.attempt(argv);
    }
  }

  /** Removes the bridge and the NAT table, and puts ip_forward back as it was before the lab. */
  void removeHost(Optional<NetworkRecord> recorded) throws InterruptedException {
    runner.attempt(List.of("ip", "link", "delete", BRIDGE));
    runner.attempt(List.of("nft", "delete", "table", "ip", NFT_TABLE));
    Optional<String> before = recorded.flatMap(NetworkRecord::ipForwardBefore);
    if (before.isPresent()) {
      try {
        Files.writeString(IP_FORWARD, before.get() + "\n");
      } catch (IOException e) {
        warn.accept("cannot restore " + IP_FORWARD + " to " + before.get() + ": " + e.getMessage());
      }
    }
  }

  static Path netnsPath(NodeSpec node) {
    return Path.of("/run/netns", node.netns());
  }

  /** The network namespaces named like lab nodes, found even when the state file has lost them. */
  static List<NodeSpec> namespacesOnHost() {
    try (var dir = Files.list(Path.of("/run/netns"))) {
      return dir.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("hoist-"))
          .map(n -> NodeSpec.parse(n.substring("hoist-".length())))
          .flatMap(Optional::stream)
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static boolean exists(String link) {
    return Files.exists(Path.of("/sys/class/net", link));
  }

  private void runAll(List<List<String>> commands) throws LabException, InterruptedException {
    for (List<String> argv : commands) {
      runner.run(argv);
    }
  }
}
