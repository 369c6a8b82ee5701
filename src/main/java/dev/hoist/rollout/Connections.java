package dev.hoist.rollout;

import dev.hoist.fleet.Failures;
import dev.hoist.fleet.Fleet;
import dev.hoist.fleet.FleetNode;
import dev.hoist.node.Node;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
    Map<String, Node> open = new ConcurrentHashMap<>();
    Map<String, String> failed = new ConcurrentHashMap<>();
    List<Thread> threads = new ArrayList<>();
    for (FleetNode node : nodes) {
      threads.add(Thread.ofVirtual().name("connect-" + node.name()).start(() -> {
        try {
          open.put(node.name(), connector.connect(node));
        } catch (Exception e) {
          var f = Failures.classify(e);
          failed.put(node.name(), f.kind().label() + ": " + f.message());
        }
      }));
    }
    for (Thread t : threads) {
      t.join();
    }
    Map<String, Node> ordered = new LinkedHashMap<>();
    nodes.forEach(n -> {
      if (open.containsKey(n.name())) {
        ordered.put(n.name(), open.get(n.name()));
      }
    });
    Connections connections = new Connections(ordered);
    if (!failed.isEmpty()) {
      connections.close();
      StringBuilder why = new StringBuilder();
      nodes.stream().filter(n -> failed.containsKey(n.name()))
          .forEach(n -> why.append("\n  ").append(n.name()).append(" (").append(String.join(", ", n.roles()))
              .append("): ").append(failed.get(n.name())));
      throw new RolloutException(RolloutException.Kind.UNREACHABLE, "cannot reach every node of the rollout, so"
          + " nothing was changed:" + why);
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
