package dev.hoist.cli;

import dev.hoist.engine.Engine.StepEvent;
import dev.hoist.fleet.Fleet;
import dev.hoist.fleet.FleetNode;
import dev.hoist.fleet.NodeOutcome;
import dev.hoist.release.DeployListener;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The live view of a fleet command on stderr: one line per node with its phase and a progress bar,
 * redrawn in place on a terminal (at most 10 times a second); elsewhere one plain line per phase.
 */
final class FleetDisplay implements Fleet.Listener {
  private static final int BAR = 20;
  private static final long REDRAW_NANOS = 100_000_000L;

  /** One node's line. */
  private static final class Line {
    String phase = "waiting";
    int steps;
    int done;
    String step = "";
    long start;
    String result;
  }

  private final Console console;
  private final Map<String, Line> lines = new LinkedHashMap<>();
  private final int width;
  private int drawn;
  private long lastDraw;

  FleetDisplay(Console console, List<FleetNode> nodes) {
    this.console = console;
    nodes.forEach(n -> lines.put(n.name(), new Line()));
    this.width = nodes.stream().mapToInt(n -> n.name().length()).max().orElse(4);
  }

  /** The per-node listener a deploy reports its phases and steps to. */
  DeployListener forNode(String node) {
    return new DeployListener() {
      @Override
      public void phase(Phase phase, int steps) {
        update(node, phase == Phase.PROBE ? "probing" : "applying", steps, null);
      }

      @Override
      public void step(StepEvent e) {
        if (!e.isLog()
            && (e.status() == StepEvent.Status.OK || e.status() == StepEvent.Status.FAIL)) {
          update(node, null, -1, e.id());
        }
      }
    };
  }

  @Override
  public void connecting(FleetNode node) {
    synchronized (this) {
      lines.get(node.name()).start = System.nanoTime();
    }
    update(node.name(), "connecting", 0, null);
  }

  @Override
  public void finished(FleetNode node, NodeOutcome<?> outcome) {
    String result =
        outcome.failure().map(f -> console.red(f.kind().label())).orElse(console.green("done"))
            + "  "
            + console.dim(seconds(outcome.elapsed().toNanos()));
    synchronized (this) {
      Line l = lines.get(node.name());
      l.result = result;
      l.phase = "finished";
      if (l.start == 0) {
        l.start = System.nanoTime();
      }
      if (!console.live()) {
        console.progress(node.name() + ": " + result);
      }
      draw(true);
    }
  }

  /** Ends the live view, leaving its last frame on screen. */
  synchronized void close() {
    draw(true);
  }

  private synchronized void update(String node, String phase, int steps, String step) {
    Line l = lines.get(node);
    boolean changed = phase != null && !phase.equals(l.phase);
    if (phase != null) {
      l.phase = phase;
      if (steps >= 0) {
        l.steps = steps;
        l.done = 0;
      }
    }
    if (step != null) {
      l.done = Math.min(l.steps, l.done + 1);
      l.step = step;
    }
    if (!console.live()) {
      if (changed) {
        console.progress(
            node + ": " + phase + (phase.equals("applying") ? " " + steps + " steps" : ""));
      }
      return;
    }
    draw(false);
  }

  private void draw(boolean force) {
    if (!console.live()) {
      return;
    }
    long now = System.nanoTime();
    if (!force && now - lastDraw < REDRAW_NANOS) {
      return;
    }
    lastDraw = now;
    StringBuilder out = new StringBuilder();
    if (drawn > 0) {
      out.append("\u001b[").append(drawn).append('A');
    }
    for (Map.Entry<String, Line> e : lines.entrySet()) {
      out.append("\r\u001b[2K").append(render(e.getKey(), e.getValue(), now)).append('\n');
    }
    drawn = lines.size();
    console.progressRaw(out.toString());
  }

  private String render(String node, Line l, long now) {
    String name = String.format(Locale.ROOT, "%-" + width + "s", node);
    String time = l.start == 0 ? "" : console.dim(seconds(now - l.start));
    if (l.result != null) {
      return "  " + name + "  " + l.result;
    }
    String bar = "";
    if ("applying".equals(l.phase) && l.steps > 0) {
      int filled = BAR * l.done / l.steps;
      bar =
          " ["
              + "#".repeat(filled)
              + ".".repeat(BAR - filled)
              + "] "
              + l.done
              + "/"
              + l.steps
              + " "
              + console.dim(l.step);
    }
    return "  " + name + "  " + String.format(Locale.ROOT, "%-10s", l.phase) + bar + "  " + time;
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.1fs", nanos / 1e9);
  }
}
