package dev.hoist.cli;

import dev.hoist.engine.Engine.StepEvent;
import dev.hoist.release.DeployListener;
import java.util.Locale;

/** Prints each step of an apply as it ends (and command output with --verbose) to stderr. */
final class ProgressPrinter implements DeployListener {
  private final Console console;
  private final boolean verbose;
  private final String prefix;

  ProgressPrinter(Console console, boolean verbose) {
    this(console, verbose, "");
  }

  /** With {@code node} before every line, for fleets printed line by line (--verbose). */
  ProgressPrinter(Console console, boolean verbose, String node) {
    this.console = console;
    this.verbose = verbose;
    this.prefix = node.isEmpty() ? "" : node + ": ";
  }

  @Override
  public void step(StepEvent e) {
    if (e.isLog()) {
      if (verbose) {
        console.progress(prefix + console.dim("    | " + e.line()));
      }
      return;
    }
    String secs = String.format(Locale.ROOT, "%5.2fs", e.seconds());
    switch (e.status()) {
      case OK ->
          console.progress(
              prefix
                  + "  "
                  + console.green("ok  ")
                  + " "
                  + console.dim(secs)
                  + "  "
                  + e.id()
                  + (e.note() == null ? "" : console.dim("  " + firstLine(e.note()))));
      case FAIL ->
          console.progress(
              prefix
                  + "  "
                  + console.red("FAIL")
                  + " "
                  + console.dim(secs)
                  + "  "
                  + e.id()
                  + "  "
                  + firstLine(e.note()));
      default -> {
        if (verbose) {
          console.progress(prefix + console.dim("  ...         " + e.id()));
        }
      }
    }
  }

  private static String firstLine(String text) {
    int nl = text.indexOf('\n');
    return nl < 0 ? text : text.substring(0, nl);
  }
}
