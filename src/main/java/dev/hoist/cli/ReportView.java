package dev.hoist.cli;

import dev.hoist.engine.Change;
import dev.hoist.release.DeployReport;
import java.util.Locale;

/**
 * Renders a deploy or plan report as text a person reads: per-resource changes, the release,
 * health.
 */
final class ReportView {
  private final Console console;

  ReportView(Console console) {
    this.console = console;
  }

  void plan(DeployReport r, boolean showDiffs) {
    warnings(r);
    if (r.changedCount() == 0) {
      console.line(
          r.node()
              + ": "
              + console.green("up to date")
              + " - nothing would change (live release "
              + r.liveBefore().orElse("none")
              + "; "
              + r.health()
              + ")");
      return;
    }
    console.line(
        r.node()
            + ": "
            + r.changedCount()
            + " change"
            + (r.changedCount() == 1 ? "" : "s")
            + " planned");
    for (Change c : r.changes()) {
      console.line(
          "  "
              + symbol(c.kind())
              + " "
              + c.summary()
              + console.dim("  (" + String.join("; ", c.reasons()) + ")"));
      if (showDiffs && !c.diff().isEmpty()) {
        for (String line : c.diff().split("\n")) {
          console.line("      " + colorDiff(line));
        }
      }
    }
    r.newRelease()
        .ifPresent(
            id ->
                console.line(
                    "  "
                        + console.green("+")
                        + " release "
                        + id
                        + console.dim("  (" + r.releaseReason() + ")")
                        + "\n      then switch current, reload gunicorn gracefully, health-check"));
  }

  void deployed(DeployReport r) {
    warnings(r);
    String time = String.format(Locale.ROOT, "%.2fs", r.elapsed().toNanos() / 1e9);
    if (r.ok()) {
      if (r.changedCount() == 0) {
        console.line(
            r.node()
                + ": "
                + console.green("0 changed")
                + " - already up to date (release "
                + r.live().orElse("none")
                + ", "
                + r.health()
                + ") in "
                + time);
      } else {
        console.line(
            r.node()
                + ": "
                + console.green(r.changedCount() + " changed")
                + ", release "
                + console.bold(r.live().orElse("none"))
                + " live and healthy in "
                + time);
      }
      return;
    }
    console.line(r.node() + ": " + console.red("deploy failed") + " after " + time);
    r.error().ifPresent(e -> console.error(e.strip()));
    if (r.liveBefore().isEmpty() && r.newRelease().isPresent()) {
      console.line(
          "the first release "
              + r.newRelease().get()
              + " did not go live; it is kept for inspection"
              + " and marked failed. Fix the cause and deploy again.");
    } else if (r.rolledBack()) {
      console.line(
          "rolled back: release "
              + r.live().orElse("none")
              + " is serving again; the new release "
              + r.newRelease().orElse("?")
              + " is kept for inspection and marked failed");
    } else if (r.newRelease().isPresent() && r.live().equals(r.liveBefore())) {
      console.line("nothing was switched: release " + r.live().orElse("none") + " keeps serving");
    }
  }

  /** Each warning once, naming the node (a fleet prints its reports one after another). */
  void warnings(DeployReport r) {
    r.warnings().forEach(w -> console.warn(r.node() + ": " + w));
  }

  private String symbol(Change.Kind kind) {
    return switch (kind) {
      case CREATE -> console.green("+");
      case UPDATE -> console.yellow("~");
      case REFRESH -> console.yellow("*");
    };
  }

  private String colorDiff(String line) {
    if (line.startsWith("+") && !line.startsWith("+++")) {
      return console.green(line);
    }
    if (line.startsWith("-") && !line.startsWith("---")) {
      return console.red(line);
    }
    return console.dim(line);
  }
}
