package dev.hoist.cli;

import dev.hoist.fleet.FleetResult;
import dev.hoist.fleet.NodeFailure;
import dev.hoist.fleet.NodeOutcome;
import dev.hoist.release.DeployReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** Renders a fleet command's outcome: a table with a row per node, then each failure's cause. */
final class FleetView {
  /** One node in --json output: the command's result, or why there is none. */
  record NodeJson<T>(
      String node, boolean ok, Optional<T> result, Optional<NodeFailure> failure, double seconds) {}

  /** The whole --json output of a fleet command. */
  record FleetJson<T>(boolean ok, double seconds, List<NodeJson<T>> nodes) {}

  private final Console console;

  FleetView(Console console) {
    this.console = console;
  }

  static <T> FleetJson<T> json(FleetResult<T> result, Function<T, Boolean> good) {
    List<NodeJson<T>> nodes =
        result.outcomes().stream()
            .map(
                o ->
                    new NodeJson<>(
                        o.node(),
                        o.ok() && good.apply(o.result().orElseThrow()),
                        o.result(),
                        o.failure(),
                        secs(o)))
            .toList();
    return new FleetJson<>(
        nodes.stream().allMatch(NodeJson::ok), result.elapsed().toNanos() / 1e9, nodes);
  }

  void deploySummary(FleetResult<DeployReport> result) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("NODE", "RESULT", "CHANGED", "RELEASE", "HEALTH", "TIME"));
    for (NodeOutcome<DeployReport> o : result.outcomes()) {
      if (o.result().isPresent()) {
        DeployReport r = o.result().get();
        String verdict =
            !r.ok()
                ? (r.rolledBack() ? "rolled back" : "FAILED")
                : r.changedCount() == 0 ? "unchanged" : "ok";
        rows.add(
            List.of(
                o.node(),
                verdict,
                String.valueOf(r.changedCount()),
                r.live().orElse("-"),
                r.ok() ? health(r.health()) : "failed",
                time(o)));
      } else {
        rows.add(
            List.of(o.node(), o.failure().orElseThrow().kind().label(), "-", "-", "-", time(o)));
      }
    }
    table(rows, Set.of("ok", "unchanged"));
    result.outcomes().forEach(o -> o.result().ifPresent(new ReportView(console)::warnings));
    for (NodeOutcome<DeployReport> o : result.outcomes()) {
      o.failure()
          .ifPresent(
              f -> console.line(console.red(o.node() + ": ") + strip(o.node(), f.message())));
      o.result()
          .filter(r -> !r.ok())
          .flatMap(DeployReport::error)
          .ifPresent(e -> console.line(console.red(o.node() + ": ") + strip(o.node(), e.strip())));
    }
    long good =
        result.outcomes().stream()
            .filter(o -> o.result().map(DeployReport::ok).orElse(false))
            .count();
    String total = String.format(Locale.ROOT, "%.2fs", result.elapsed().toNanos() / 1e9);
    String line =
        good
            + " of "
            + result.outcomes().size()
            + " node"
            + (result.outcomes().size() == 1 ? "" : "s")
            + " deployed in "
            + total;
    console.line(good == result.outcomes().size() ? console.green(line) : console.red(line));
  }

  /**
   * A plain table, columns padded to fit; the second column is green when in {@code good}, else
   * red.
   */
  void table(List<List<String>> rows, Set<String> good) {
    int[] widths = new int[rows.getFirst().size()];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    for (int r = 0; r < rows.size(); r++) {
      StringBuilder line = new StringBuilder();
      List<String> row = rows.get(r);
      for (int i = 0; i < row.size(); i++) {
        String cell = String.format(Locale.ROOT, "%-" + widths[i] + "s", row.get(i));
        if (r == 0) {
          cell = console.dim(cell);
        } else if (i == 1) {
          cell = good.contains(row.get(i)) ? console.green(cell) : console.red(cell);
        }
        line.append(i == 0 ? "" : "  ").append(cell);
      }
      console.line(line.toString().stripTrailing());
    }
  }

  private static String health(String health) {
    int colon = health.indexOf(':');
    return colon < 0 ? health : health.substring(0, colon);
  }

  private static String strip(String node, String message) {
    return message.startsWith(node + ": ") ? message.substring(node.length() + 2) : message;
  }

  private static String time(NodeOutcome<?> o) {
    return String.format(Locale.ROOT, "%.2fs", secs(o));
  }

  private static double secs(NodeOutcome<?> o) {
    return o.elapsed().toNanos() / 1e9;
  }
}
