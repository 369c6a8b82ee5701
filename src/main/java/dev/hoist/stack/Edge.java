package dev.hoist.stack;

import java.util.List;
import java.util.Optional;

/**
 * Where a web node stands between clients and the app: it ends TLS itself (one node, or nodes
 * without a balancer), or sits behind the environment's balancers, which end TLS and whose
 * addresses it trusts for {@code X-Forwarded-*}. {@code files}: the user's own certificate.
 */
public record Edge(List<String> balancers, Optional<TlsMaterial> files) {
  public Edge {
    balancers = List.copyOf(balancers);
  }

  /** Clients reach the node directly. */
  public static Edge direct(Optional<TlsMaterial> files) {
    return new Edge(List.of(), files);
  }

  public boolean behindBalancer() {
    return !balancers.isEmpty();
  }
}
