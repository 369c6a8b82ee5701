package dev.hoist.stack;

import dev.hoist.engine.Catalog;
import dev.hoist.engine.ServiceResource;
import java.util.List;

/**
 * What a load-balancer node needs for one app: HAProxy, its config with the web nodes as upstreams,
 * and its supervised service; plus where its admin socket is, for draining.
 */
public record BalancerStack(
    String app, Catalog catalog, ServiceResource service, List<Upstream> upstreams) {
  /** HAProxy's config, written by hoist (the package's own haproxy.cfg is left alone). */
  public static final String CONFIG = "/etc/haproxy/hoist.cfg";

  /** The runtime API's socket: root only, level admin. */
  public static final String ADMIN_SOCKET = "/run/hoist-lb/admin.sock";

  /** The backend holding the web nodes, one server per node, named as the node. */
  public static final String BACKEND = "web";

  public static final String SERVICE = "hoist-lb";

  /** The servers' run-time states, saved before a reload and loaded by the new worker. */
  public static final String STATE_FILE = "/run/hoist-lb/server-state";

  /** A web node as the balancer reaches it. */
  public record Upstream(String name, String address, int port) {}
}
