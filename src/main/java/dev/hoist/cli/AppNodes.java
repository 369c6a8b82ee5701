package dev.hoist.cli;

import dev.hoist.fleet.FleetNode;
import dev.hoist.node.Node;
import dev.hoist.services.WebMaintenance;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The app nodes of an environment whose data is on a db node of its own, during a restore: the
 * maintenance flag on every web node once the data node staged and verified everything (not while
 * the bundle moves), the app reloaded on every app node after the swap, the flags off on close
 * (after a failure or Ctrl-C too: close runs before the Ctrl-C hook lets the JVM go).
 */
final class AppNodes implements AutoCloseable {
  private final Console console;
  private final Map<String, Node> connections;
  private final WebMaintenance maintenance;
  private boolean off;

  private AppNodes(Console console, Map<String, Node> connections, WebMaintenance maintenance) {
    this.console = console;
    this.connections = connections;
    this.maintenance = maintenance;
  }

  /** Connects to the app nodes when the data node is a node of its own; else empty. */
  static Optional<AppNodes> ofSeparateDataNode(Session s, Console console)
      throws CommandException, InterruptedException {
    if (s.separateDataNode().isEmpty()) {
      return Optional.empty();
    }
    Map<String, Node> connections = new LinkedHashMap<>();
    List<FleetNode> nodes = s.environmentAppNodes();
    try {
      for (FleetNode n : nodes) {
        connections.put(n.name(), s.connect(n));
      }
    } catch (IOException e) {
      connections.values().forEach(Transfers::close);
      throw new CommandException(
          ExitCode.NODE,
          "an app node cannot be reached, so its maintenance flag could not be set: "
              + e.getMessage()
              + "; nothing was changed");
    }
    List<String> web =
        nodes.stream().filter(n -> n.roles().contains("web")).map(FleetNode::name).toList();
    return Optional.of(
        new AppNodes(
            console,
            connections,
            new WebMaintenance(s.spec().app(), s.stack().appService(), connections, web)));
  }

  /** The flags on, once the data node staged everything (DataTransfer.BeforeSwap). */
  void flagsOn() throws IOException, InterruptedException {
    try {
      maintenance.on();
    } catch (IOException e) {
      throw new IOException("could not put the maintenance flag on: " + e.getMessage(), e);
    }
  }

  /** After the data is in: every app node reloaded, then the flags off. */
  void reloadAndFlagsOff() throws InterruptedException {
    maintenance.reloadAndOff().forEach(console::warn);
    flagsOff();
    Map<String, Double> w = maintenance.windows();
    if (w.size() > 1) {
      StringBuilder each = new StringBuilder("503 window per web node:");
      w.forEach((n, secs) -> each.append(String.format(Locale.ROOT, " %s %.2fs", n, secs)));
      console.progress(each.toString());
    }
  }

  /** The longest 503 window over the web nodes. */
  double window() {
    return maintenance.window();
  }

  private void flagsOff() throws InterruptedException {
    if (!off) {
      off = true;
      maintenance.off().forEach(console::warn);
    }
  }

  @Override
  public void close() throws InterruptedException {
    try {
      flagsOff();
    } finally {
      connections.values().forEach(Transfers::close);
    }
  }
}
