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
 * swaps (once the data node has staged everything), the app is reloaded on every app node once it
 * is in (new connections to the new database) in the same round trip that takes the flag off, and
 * flags left come off after a failure or Ctrl-C ({@link #off} in a finally). The 503 window is
 * measured per web node, from its flag on to its flag off.
 */
public final class WebMaintenance {
  private static final Attributes FLAG = Attributes.of("root", "root", "0644");

  private final AppLayout layout;
  // The app's gunicorn, refreshed by a plain HUP (see reloadAndOff).
  private final ServiceResource reload;
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
    this.reload =
        new ServiceResource(
            appService.name(),
            appService.supervisor(),
            ServiceResource.Refresh.RELOAD,
            appService.stopTimeout());
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
          List.of(
              AgentStep.of(
                  "maintenance-on",
                  new AgentOp.FileWrite(layout.maintenanceFlag(), new byte[0], FLAG, List.of()))));
      onAt.put(e.getKey(), System.nanoTime());
    }
  }

  /**
   * After the swap, one round trip per app node: the app reloaded (gunicorn HUPed, as a restore on
   * the app's own node does: its new workers open new connections to the new data; not waited for,
   * requests queue on its socket meanwhile) and, on a web node, its flag taken off. Returns a
   * warning per node that did not reload (the data is in either way); its flag stays for {@link
   * #off}.
   */
  public List<String> reloadAndOff() throws InterruptedException {
    List<AgentStep> hup = reload.refreshChange("the data was restored").steps();
    List<String> warnings = new ArrayList<>();
    for (Map.Entry<String, Engine> e : apps.entrySet()) {
      String name = e.getKey();
      List<AgentStep> steps = new ArrayList<>(hup);
      boolean flagged = onAt.containsKey(name);
      if (flagged) {
        steps.add(offStep());
      }
      try {
        run(name, e.getValue(), steps);
        if (flagged) {
          windows.put(name, (System.nanoTime() - onAt.remove(name)) / 1e9);
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
        run(name, webs.get(name), List.of(offStep()));
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

  private AgentStep offStep() {
    return AgentStep.of("maintenance-off", new AgentOp.PathRemove(layout.maintenanceFlag()));
  }

  private static void run(String name, Engine engine, List<AgentStep> steps)
      throws IOException, InterruptedException {
    ApplyResult result;
    try {
      result =
          engine.apply(new ApplyRequest(steps, null, List.of(), List.of(), null, null), e -> {});
    } catch (AgentException e) {
      throw new IOException(name + ": " + e.getMessage(), e);
    }
    if (!result.ok()) {
      throw new IOException(name + ": " + result.error());
    }
  }
}
