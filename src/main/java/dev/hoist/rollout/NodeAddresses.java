package dev.hoist.rollout;

import dev.hoist.fleet.FleetNode;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * The IP addresses of a node as the other nodes of its environment see it: its inventory {@code
 * host:} as written when it is an IP literal, else what that name resolves to here. This assumes
 * the nodes reach each other at the addresses hoist reaches them at (no NAT, no other network
 * between them): true for lab nodes and one private network, not for nodes hoist reaches through a
 * public address while they talk over a private one (give the private address as host: then, and
 * reach the node through a jump host).
 */
public final class NodeAddresses {
  private NodeAddresses() {}

  /**
   * @param what how a failure names the node, e.g. "load balancer" or "db node"
   */
  public static List<String> of(FleetNode node, String what) throws RolloutException {
    String host = node.spec().host();
    try {
      // A literal is only checked, never looked up.
      return Arrays.stream(InetAddress.getAllByName(host))
          .map(InetAddress::getHostAddress)
          .map(NodeAddresses::plain)
          .distinct()
          .toList();
    } catch (UnknownHostException e) {
      throw new RolloutException(
          RolloutException.Kind.USAGE,
          "cannot resolve "
              + host
              + ", the host of "
              + what
              + " "
              + node.name()
              + ", to the address the other nodes reach it at; give its IP address as host");
    }
  }

  /** Java writes IPv6 addresses with a scope ("fe80::1%eth0") and uncompressed; keep them bare. */
  private static String plain(String address) {
    int scope = address.indexOf('%');
    String bare = scope < 0 ? address : address.substring(0, scope);
    if (!bare.contains(":")) {
      return bare;
    }
    try {
      return compress(InetAddress.getByName(bare).getAddress());
    } catch (UnknownHostException e) {
      return bare;
    }
  }

  /** RFC 5952's text form (what PostgreSQL and Redis print): the longest run of zeros as "::". */
  static String compress(byte[] v6) {
    int[] words = new int[8];
    for (int i = 0; i < 8; i++) {
      words[i] = ((v6[2 * i] & 0xff) << 8) | (v6[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && words[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLen - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(words[i]));
    }
    return out.toString();
  }
}
