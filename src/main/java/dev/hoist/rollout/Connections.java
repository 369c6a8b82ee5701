package dev.hoist.rollout;

import dev.hoist.engine.Engine;
import dev.hoist.fleet.Failures;
import dev.hoist.fleet.Fleet;
import dev.hoist.fleet.FleetNode;
import dev.hoist.node.Agent;
import dev.hoist.node.Node;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One open connection per node of a rollout, opened all at once and held until it ends. */
public final class Connections implements AutoCloseable {
  private final Map<String, Node> nodes;

  private Connections(Map<String, Node> nodes) {
    this.nodes = nodes;
  }

  /**
   * Connects to every node in parallel; if any cannot be reached, closes the others and says which
   * and why: a rollout starts only when it can reach every node it may have to drain or switch.
   */
  public static Connections open(List<FleetNode> nodes, Fleet.Connector connector)
      throws RolloutException, InterruptedException {
    Map<FleetNode, Parallel.Outcome<Node>> outcomes =
        Parallel.run(nodes, "connect", connector::connect);
    Map<String, Node> ordered = new LinkedHashMap<>();
    Map<String, String> failed = new LinkedHashMap<>();
    outcomes.forEach(
        (node, o) -> {
          o.value().ifPresent(n -> ordered.put(node.name(), n));
          o.error()
              .map(Failures::classify)
              .ifPresent(f -> failed.put(node.name(), f.kind().label() + ": " + f.message()));
        });
    Connections connections = new Connections(ordered);
    if (!failed.isEmpty()) {
      connections.close();
      StringBuilder why = new StringBuilder();
      nodes.stream()
          .filter(n -> failed.containsKey(n.name()))
          .forEach(
              n ->
                  why.append("\n  ")
                      .append(n.name())
                      .append(" (")
                      .append(String.join(", ", n.roles()))
                      .append("): ")
                      .append(failed.get(n.name())));
      throw new RolloutException(
          RolloutException.Kind.UNREACHABLE,
          "cannot reach every node of the rollout, so" + " nothing was changed:" + why);
    }
    return connections;
  }

  public Node node(String name) {
    Node node = nodes.get(name);
    if (node == null) {
      throw new IllegalArgumentException("no connection to " + name);
    }
    return node;
  }

  /** An engine over the connection to {@code name}. */
  public Engine engine(String name) {
    return new Engine(new Agent(node(name)));
  }

  @Override
  public void close() {
    for (Node node : nodes.values()) {
      if (node instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          // Closing is best effort: the deploy's outcome is already decided.
        }
      }
    }
  }
}
