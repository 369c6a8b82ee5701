package dev.hoist.stack;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who reaches the app's PostgreSQL and Redis on its data node, and at which address: on the web
 * node itself ({@link #local()}) only the loopback; on a separate {@code db} node also {@code
 * listen} (the address the app nodes reach it at), for each of {@code clients} (the app nodes'
 * addresses, IP literals). docs/services.md "A db node of its own".
 */
public record DataAccess(Optional<String> listen, List<String> clients) {
  public DataAccess {
    clients = List.copyOf(clients);
    listen.ifPresent(DataAccess::literal);
    clients.forEach(DataAccess::literal);
    if (listen.isPresent() == clients.isEmpty()) {
      throw new IllegalArgumentException("a db node listens for its app nodes, and only then");
    }
  }

  /** The data node is the web node: everything over the loopback and the socket. */
  public static DataAccess local() {
    return new DataAccess(Optional.empty(), List.of());
  }

  /** A separate db node at {@code listen}, reached by the app nodes at {@code clients}. */
  public static DataAccess remote(String listen, List<String> clients) {
    return new DataAccess(Optional.of(listen), clients);
  }

  public boolean remote() {
    return listen.isPresent();
  }

  /** The host in DATABASE_URL and REDIS_URL: the loopback, or the db node (IPv6 in brackets). */
  public String urlHost() {
    return listen.map(a -> a.contains(":") ? "[" + a + "]" : a).orElse("127.0.0.1");
  }

  /** pg_hba.conf's addresses: the loopback's, then each app node's alone (/32 or /128). */
  public List<String> hbaAddresses() {
    List<String> out = new ArrayList<>(List.of("127.0.0.1/32", "::1/128"));
    for (String c : clients) {
      String cidr = c + (c.contains(":") ? "/128" : "/32");
      if (!out.contains(cidr)) {
        out.add(cidr);
      }
    }
    return out;
  }

  /** PostgreSQL's listen_addresses. */
  public String postgresListen() {
    return "localhost" + listen.map(a -> "," + a).orElse("");
  }

  /** Redis's bind line (a leading '-': an address the node lacks is skipped, not fatal). */
  public String redisBind() {
    return "127.0.0.1 -::1" + listen.map(a -> " " + a).orElse("");
  }

  /** Only IP literals: a name would be looked up by the services at every start. */
  private static void literal(String address) {
    if (!address.matches("[0-9a-fA-F:.]+")) {
      throw new IllegalArgumentException("not an IP address: " + address);
    }
    try {
      InetAddress.getByName(address);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + address, e);
    }
  }
}
