package dev.hoist.services;

import dev.hoist.engine.AgentOp;
import dev.hoist.engine.AgentStep;
import dev.hoist.engine.Attributes;
import dev.hoist.engine.Engine;
import dev.hoist.engine.Engine.ApplyRequest;
import dev.hoist.engine.Engine.ApplyResult;
import dev.hoist.engine.ServiceResource;
import dev.hoist.node.Agent;
import dev.hoist.node.AgentException;
import dev.hoist.node.Node;
import dev.hoist.stack.AppLayout;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A restore into an app whose data lives on a db node of its own: the app nodes are elsewhere, so
 * the maintenance flag (nginx answers 503 + Retry-After) goes on every web node before the data
 * moves, the app is reloaded on every app node once it is in (new connections to the new database),
 * and the flags come off, also after a failure or Ctrl-C ({@link #off} in a finally). The 503
 * window is measured per web node, from its flag on to its flag off.
 */
public final class WebMaintenance {
  private static final Attributes FLAG = Attributes.of("root", "root", "0644");

  private final AppLayout layout;
  private final ServiceResource app;
  private final Map<String, Engine> webs = new LinkedHashMap<>();
  private final Map<String, Engine> apps = new LinkedHashMap<>();
  private final Map<String, Long> onAt = new LinkedHashMap<>();
  private final Map<String, Double> windows = new LinkedHashMap<>();

  /**
   * {@code appService}: the app's gunicorn service; {@code nodes}: connections to the app nodes,
   * {@code web}: the names of those nginx serves the app on.
   */
  public WebMaintenance(
      String app, ServiceResource appService, Map<String, Node> nodes, List<String> web) {
    this.layout = new AppLayout(app);
    this.app = appService;
    nodes.forEach(
        (name, node) -> {
          Engine engine = new Engine(new Agent(node));
          apps.put(name, engine);
          if (web.contains(name)) {
            webs.put(name, engine);
          }
        });
  }

  /** Puts the flag on every web node; a node that refuses stops it (the caller calls off). */
  public void on() throws IOException, InterruptedException {
    for (Map.Entry<String, Engine> e : webs.entrySet()) {
      run(
          e.getKey(),
          e.getValue(),
          AgentStep.of(
              "maintenance-on",
              new AgentOp.FileWrite(layout.maintenanceFlag(), new byte[0], FLAG, List.of())));
      onAt.put(e.getKey(), System.nanoTime());
    }
  }

  /**
   * Reloads the app on every app node (gunicorn's workers replaced, as a deploy does); returns a
   * warning per node that did not reload (the data is in either way).
   */
  public List<String> reload() throws InterruptedException {
    List<String> warnings = new ArrayList<>();
    for (Map.Entry<String, Engine> e : apps.entrySet()) {
      try {
        for (AgentStep step : app.refreshChange("the data was restored").steps()) {
          run(e.getKey(), e.getValue(), step);
        }
      } catch (IOException x) {
        warnings.add(
            x.getMessage()
                + "; the data is restored, reload the app there with 'hoist deploy' or a restart");
      }
    }
    return warnings;
  }

  /**
   * Takes every flag off that was put on (each tried, whatever the others do); returns a warning
   * per flag left, naming the file to remove.
   */
  public List<String> off() throws InterruptedException {
    List<String> warnings = new ArrayList<>();
    for (String name : List.copyOf(onAt.keySet())) {
      try {
        run(
            name,
            webs.get(name),
            AgentStep.of("maintenance-off", new AgentOp.PathRemove(layout.maintenanceFlag())));
        windows.put(name, (System.nanoTime() - onAt.remove(name)) / 1e9);
      } catch (IOException e) {
        warnings.add(
            e.getMessage()
                + "; nginx still answers 503 there: remove "
                + layout.maintenanceFlag()
                + " on it");
      }
    }
    return warnings;
  }

  /** Each web node's 503 window in seconds, once its flag is off. */
  public Map<String, Double> windows() {
    return Map.copyOf(windows);
  }

  /** The longest of them: the window a client saw at worst. */
  public double window() {
    return windows.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
  }

  private static void run(String name, Engine engine, AgentStep step)
      throws IOException, InterruptedException {
    ApplyResult result;
    try {
      result =
          engine.apply(
              new ApplyRequest(List.of(step), null, List.of(), List.of(), null, null), e -> {});
    } catch (AgentException e) {
      throw new IOException(name + ": " + e.getMessage(), e);
    }
    if (!result.ok()) {
      throw new IOException(name + ": " + step.id() + ": " + result.error());
    }
  }
}
