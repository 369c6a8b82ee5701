package dev.hoist.cli;

import dev.hoist.fleet.FleetNode;
import dev.hoist.node.Node;
import dev.hoist.project.BackupSpec;
import dev.hoist.release.DeployListener;
import dev.hoist.rollout.DataPhase;
import dev.hoist.rollout.RolloutException;
import dev.hoist.stack.ServicesEnv;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A deploy's data phase on stderr: the separate db node converged before the app nodes, its steps
 * as they end and one line of outcome (also with --json, whose stdout stays the app nodes' report).
 */
final class DataPhaseRunner {
  private final Console console;
  private final boolean verbose;

  DataPhaseRunner(Console console, boolean verbose) {
    this.console = console;
    this.verbose = verbose;
  }

  /** Runs the phase when the environment's data node is a node of its own; else nothing. */
  Optional<DataPhase.Report> run(Session s) throws CommandException, InterruptedException {
    Optional<FleetNode> data = s.separateDataNode();
    if (data.isEmpty()) {
      return Optional.empty();
    }
    FleetNode node = data.get();
    try {
      DataPhase phase = new DataPhase(s.spec(), s.templates(), node, s.environmentAppNodes());
      DataPhase.Report report;
      Node connection = s.connect(node);
      try {
        report = phase.run(connection, progress(node));
      } finally {
        Transfers.close(connection);
      }
      console.progress(
          node.name()
              + " (data node): "
              + (report.changes().isEmpty() ? "unchanged" : report.changes().size() + " changed")
              + String.format(
                  Locale.ROOT,
                  ", %d round trip%s, %.1fs; PostgreSQL and Redis at %s for %s",
                  report.roundTrips(),
                  report.roundTrips() == 1 ? "" : "s",
                  report.seconds(),
                  phase.access().listen().orElseThrow(),
                  String.join(", ", phase.access().clients())));
      return Optional.of(report);
    } catch (RolloutException e) {
      throw new CommandException(
          switch (e.kind()) {
            case USAGE -> ExitCode.USAGE;
            case UNREACHABLE -> ExitCode.NODE;
            default -> ExitCode.FAILED;
          },
          "the data node " + node.name() + " (before any app node): " + e.getMessage());
    } catch (IOException e) {
      throw new CommandException(
          ExitCode.NODE, node.name() + " (data node): cannot connect: " + e.getMessage());
    }
  }

  /**
   * The data phase's plan on stderr (the app nodes' plan stays stdout's); the env the db node holds
   * for the app nodes' plans, or, before its first deploy, a stand-in that names no value (their
   * plans then show the env file to be created, hidden as always).
   */
  Optional<ServicesEnv> plan(Session s, boolean json)
      throws CommandException, InterruptedException {
    Optional<FleetNode> data = s.separateDataNode();
    if (data.isEmpty()) {
      return Optional.empty();
    }
    FleetNode node = data.get();
    try {
      DataPhase phase = new DataPhase(s.spec(), s.templates(), node, s.environmentAppNodes());
      DataPhase.Report report;
      Node connection = s.connect(node);
      try {
        report = phase.plan(connection);
      } finally {
        Transfers.close(connection);
      }
      console.progress(
          node.name()
              + " (data node): "
              + (report.changes().isEmpty()
                  ? "no changes"
                  : report.changes().size() + " to change"));
      if (!json) {
        report.changes().forEach(c -> console.progress("  " + c.summary()));
        BackupRelease.planned(
                report.backupTarget(), s.spec().backup().flatMap(BackupSpec::to), node.name())
            .ifPresent(console::progress);
      }
      return Optional.of(
          report.env() != null
              ? report.env()
              : ServicesEnv.of("# made by the data node on its first deploy\n", List.of()));
    } catch (RolloutException e) {
      throw new CommandException(
          e.kind() == RolloutException.Kind.USAGE ? ExitCode.USAGE : ExitCode.NODE,
          "the data node " + node.name() + ": " + e.getMessage());
    } catch (IOException e) {
      throw new CommandException(
          ExitCode.NODE, node.name() + " (data node): cannot connect: " + e.getMessage());
    }
  }

  private DeployListener progress(FleetNode node) {
    return new ProgressPrinter(console, verbose, node.name());
  }
}
