package dev.hoist.project;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads {@code nodes:} and {@code environments:} (from hoist.yml or the user's config), recording
 * every problem in place. Names that environments refer to are checked later, against both files.
 */
final class InventoryReader {
  static final List<String> NODE_KEYS =
      List.of("host", "port", "user", "key", "jump", "known_hosts", "connect_timeout", "keepalive");
  private static final List<String> ENV_KEYS = List.of("nodes", "web", "worker", "lb", "db");
  private static final List<String> LB_KEYS = List.of("node", "only");

  /** The {@code lb:} of an environment: its nodes, and whether web nodes answer only them. */
  private record Balancer(List<EnvironmentSpec.NodeRef> nodes, boolean only) {}

  static final String SERVER_KEY =
      "leave key: out: the server logs in with its own key (DATA/.ssh/id_ed25519, printed by"
          + " 'hoist server install'); a node needing another key goes in the server's"
          + " ~/.config/hoist/config.yml";
  static final String SERVER_KNOWN_HOSTS =
      "leave known_hosts: out: the server checks host keys in its own ~/.ssh/known_hosts (add"
          + " the node's key there, or give known_hosts: in the server's ~/.config/hoist/config.yml)";

  private final YamlNodes nodes;
  private final Path baseDir;
  private final boolean pushed;

  /** {@code baseDir}: where relative key and known_hosts paths start (the file's directory). */
  InventoryReader(YamlNodes nodes, Path baseDir) {
    this(nodes, baseDir, false);
  }

  /** {@code pushed}: a pushed hoist.yml that hoist server deploys names no SSH files. */
  InventoryReader(YamlNodes nodes, Path baseDir, boolean pushed) {
    this.nodes = nodes;
    this.baseDir = baseDir;
    this.pushed = pushed;
  }

  Map<String, NodeSpec> nodes(Node node) {
    Map<String, NodeSpec> out = new LinkedHashMap<>();
    for (NodeTuple entry :
        nodes.entries(node, "nodes", "a mapping of node names to hosts").orElse(List.of())) {
      String name = ((ScalarNode) entry.getKeyNode()).getValue();
      String key = "nodes." + name;
      Optional<String> valid =
          nodes.parse(entry.getKeyNode(), key, "a node name", Values::nodeName);
      Optional<NodeSpec> spec = node(valid.orElse(name), key, entry.getValueNode());
      if (valid.isPresent() && spec.isPresent()) {
        out.put(name, spec.get());
      }
    }
    return out;
  }

  /** A node: {@code {host: ..., user: ...}} or the shorthand {@code deploy@10.0.0.11:22}. */
  private Optional<NodeSpec> node(String name, String key, Node value) {
    String origin = origin(value);
    if (value instanceof ScalarNode) {
      return nodes
          .parse(value, key, "[user@]host[:port]", NodeAddress::parse)
          .map(
              a ->
                  new NodeSpec(
                      name,
                      a.host(),
                      a.port().orElse(22),
                      a.user().orElse("root"),
                      List.of(),
                      Optional.empty(),
                      Optional.empty(),
                      Optional.empty(),
                      Optional.empty(),
                      origin));
    }
    Optional<Fields> fields = nodes.fields(value, key, NODE_KEYS, Set.of());
    if (fields.isEmpty()) {
      return Optional.empty();
    }
    Fields f = fields.get();
    Optional<String> host =
        f.required("host", "host: 10.0.0.11")
            .flatMap(
                n -> nodes.parse(n, f.key("host"), "a hostname or IP address", Values::sshHost));
    int port = f.get("port").flatMap(n -> nodes.integer(n, f.key("port"), 1, 65535)).orElse(22);
    String user =
        f.get("user")
            .flatMap(n -> nodes.parse(n, f.key("user"), "a Unix user", Values::unixUser))
            .orElse("root");
    List<Path> keys =
        f.get("key")
            .filter(n -> !refused(n, f.key("key"), SERVER_KEY))
            .map(n -> paths(n, f.key("key")))
            .orElse(List.of());
    Optional<String> jump =
        f.get("jump")
            .flatMap(
                n ->
                    nodes.parse(
                        n,
                        f.key("jump"),
                        "a node name or [user@]host[:port]",
                        text -> {
                          NodeAddress.parse(text);
                          return text;
                        }));
    if (jump.isPresent() && jump.get().equals(name)) {
      nodes.problem(
          f.get("jump").get(),
          f.key("jump"),
          "a node cannot be its own jump host",
          "name another node, or remove jump");
    }
    Optional<Path> knownHosts =
        f.get("known_hosts")
            .filter(n -> !refused(n, f.key("known_hosts"), SERVER_KNOWN_HOSTS))
            .flatMap(n -> path(n, f.key("known_hosts")));
    Optional<Duration> connectTimeout =
        f.get("connect_timeout").flatMap(n -> nodes.duration(n, f.key("connect_timeout")));
    Optional<Duration> keepalive =
        f.get("keepalive").flatMap(n -> nodes.duration(n, f.key("keepalive")));
    return host.map(
        h ->
            new NodeSpec(
                name, h, port, user, keys, jump, knownHosts, connectTimeout, keepalive, origin));
  }

  /**
   * Whether an SSH file is refused: hoist server (maybe root) deploying a pushed hoist.yml reaches
   * nodes with its own key and known_hosts, never a file of its machine the pusher names.
   */
  private boolean refused(Node node, String key, String instead) {
    if (pushed) {
      nodes.problem(
          node,
          key,
          PushedPaths.REFUSED + ": the server reaches nodes with its own SSH key and known_hosts",
          instead);
    }
    return pushed;
  }

  /** One path or a list of them. */
  private List<Path> paths(Node node, String key) {
    if (node instanceof SequenceNode list) {
      List<Path> out = new ArrayList<>();
      list.getValue().forEach(item -> path(item, key).ifPresent(out::add));
      return out;
    }
    return path(node, key).map(List::of).orElse(List.of());
  }

  private Optional<Path> path(Node node, String key) {
    return nodes.text(node, key, "a file path").map(this::resolve);
  }

  /** {@code ~/x} is in the home directory; other relative paths start at the file's directory. */
  private Path resolve(String text) {
    if (text.equals("~") || text.startsWith("~/")) {
      return Path.of(System.getProperty("user.home"))
          .resolve(text.substring(Math.min(2, text.length())));
    }
    return baseDir.resolve(text).normalize();
  }

  Map<String, EnvironmentSpec> environments(Node node) {
    Map<String, EnvironmentSpec> out = new LinkedHashMap<>();
    for (NodeTuple entry :
        nodes
            .entries(node, "environments", "a mapping of environment names to nodes")
            .orElse(List.of())) {
      String name = ((ScalarNode) entry.getKeyNode()).getValue();
      String key = "environments." + name;
      Optional<String> valid =
          nodes.parse(entry.getKeyNode(), key, "an environment name", Values::nodeName);
      Optional<EnvironmentSpec> env = environment(name, key, entry.getValueNode());
      if (valid.isPresent() && env.isPresent()) {
        out.put(name, env.get());
      }
    }
    return out;
  }

  /** {@code {web: [a, b], lb: c}}, {@code {nodes: [a]}} (web), or just {@code [a, b]} (web). */
  private Optional<EnvironmentSpec> environment(String name, String key, Node value) {
    Map<String, List<EnvironmentSpec.NodeRef>> roles = new LinkedHashMap<>();
    if (!(value instanceof MappingNode)) {
      List<EnvironmentSpec.NodeRef> web = refs(value, key);
      if (web.isEmpty()) {
        return Optional.empty();
      }
      roles.put("web", web);
      return Optional.of(new EnvironmentSpec(name, roles, origin(value)));
    }
    Optional<Fields> fields = nodes.fields(value, key, ENV_KEYS, Set.of());
    if (fields.isEmpty()) {
      return Optional.empty();
    }
    Fields f = fields.get();
    if (f.get("nodes").isPresent() && f.get("web").isPresent()) {
      nodes.problem(
          f.get("nodes").get(),
          f.key("nodes"),
          "both 'nodes' and 'web' are given; 'nodes' means web",
          "list the web nodes under one of them");
    }
    List<EnvironmentSpec.NodeRef> web = new ArrayList<>();
    f.get("nodes").ifPresent(n -> web.addAll(refs(n, f.key("nodes"))));
    f.get("web").ifPresent(n -> web.addAll(refs(n, f.key("web"))));
    roles.put("web", web);
    roles.put("worker", f.get("worker").map(n -> refs(n, f.key("worker"))).orElse(List.of()));
    Balancer lb =
        f.get("lb").map(n -> balancer(n, f.key("lb"))).orElse(new Balancer(List.of(), false));
    roles.put("lb", lb.nodes());
    roles.put("db", f.get("db").map(n -> refs(n, f.key("db"))).orElse(List.of()));
    if (roles.values().stream().allMatch(List::isEmpty)) {
      nodes.problem(value, key, "the environment has no nodes", "add e.g. 'web: [web1, web2]'");
      return Optional.empty();
    }
    return Optional.of(new EnvironmentSpec(name, roles, lb.only(), origin(value)));
  }

  /** {@code lb1}, {@code [lb1]}, or {@code {node: lb1, only: true}}. */
  private Balancer balancer(Node value, String key) {
    if (!(value instanceof MappingNode)) {
      return new Balancer(refs(value, key), false);
    }
    Optional<Fields> fields = nodes.fields(value, key, LB_KEYS, Set.of());
    if (fields.isEmpty()) {
      return new Balancer(List.of(), false);
    }
    Fields f = fields.get();
    List<EnvironmentSpec.NodeRef> refs =
        f.required("node", "node: lb1").map(n -> refs(n, f.key("node"))).orElse(List.of());
    boolean only = f.get("only").flatMap(n -> nodes.flag(n, f.key("only"))).orElse(false);
    return new Balancer(refs, only);
  }

  /** One node name or a list of them. */
  private List<EnvironmentSpec.NodeRef> refs(Node node, String key) {
    List<Node> items = node instanceof SequenceNode list ? list.getValue() : List.of(node);
    List<EnvironmentSpec.NodeRef> out = new ArrayList<>();
    for (Node item : items) {
      nodes
          .parse(item, key, "a node name", Values::nodeName)
          .ifPresent(
              name -> {
                if (out.stream().anyMatch(r -> r.name().equals(name))) {
                  nodes.problem(item, key, "'" + name + "' is listed twice", "remove one of them");
                } else {
                  out.add(new EnvironmentSpec.NodeRef(name, origin(item)));
                }
              });
    }
    return out;
  }

  private String origin(Node node) {
    return nodes.file()
        + node.getStartMark()
            .map(m -> ":" + (m.getLine() + 1) + ":" + (m.getColumn() + 1))
            .orElse("");
  }
}
