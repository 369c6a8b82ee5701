package dev.hoist.stack;

import java.util.List;
import java.util.Optional;

/**
 * Where a web node stands between clients and the app: it ends TLS itself (one node, or nodes
 * without a balancer), or sits behind the environment's balancers, which end TLS and whose
 * addresses (IP literals) it trusts for {@code X-Forwarded-*}. {@code balancerOnly}: it answers the
 * app's requests from those addresses and from itself only. {@code files}: the user's own
 * certificate.
 */
public record Edge(List<String> balancers, boolean balancerOnly, Optional<TlsMaterial> files) {
  public Edge {
    balancers = List.copyOf(balancers);
    if (balancerOnly && balancers.isEmpty()) {
      throw new IllegalArgumentException("answering only the balancer needs a balancer");
    }
  }

  /** Clients reach the node directly. */
  public static Edge direct(Optional<TlsMaterial> files) {
    return new Edge(List.of(), false, files);
  }

  public boolean behindBalancer() {
    return !balancers.isEmpty();
  }
}
