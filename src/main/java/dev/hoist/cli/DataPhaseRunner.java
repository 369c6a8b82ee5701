package dev.hoist.cli;

import dev.hoist.engine.Change;
import dev.hoist.fleet.FleetNode;
import dev.hoist.node.Node;
import dev.hoist.project.BackupSpec;
import dev.hoist.release.DeployListener;
import dev.hoist.rollout.DataPhase;
import dev.hoist.rollout.RolloutException;
import dev.hoist.stack.DataAccess;
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

  /**
   * Runs the phase when the environment's data node is a node of its own; else nothing. Without
   * {@code services:}, such a node is probed and what it still serves the app retired.
   */
  Optional<DataPhase.Report> run(Session s) throws CommandException, InterruptedException {
    Optional<FleetNode> retired = s.retiredDataNode();
    if (retired.isPresent()) {
      return retire(s, retired.get());
    }
    Optional<FleetNode> data = s.separateDataNode();
    if (data.isEmpty()) {
      return Optional.empty();
    }
    FleetNode node = data.get();
    try {
      DataPhase phase = new DataPhase(s.spec(), s.templates(), node, s.environmentAppNodes());
      DataPhase.Report report = runOn(s, node, phase, true);
      DataAccess access = phase.access().orElseThrow();
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
                  access.listen().orElseThrow(),
                  String.join(", ", access.clients())));
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
    Optional<FleetNode> retired = s.retiredDataNode();
    Optional<FleetNode> data = retired.isPresent() ? retired : s.separateDataNode();
    if (data.isEmpty()) {
      return Optional.empty();
    }
    FleetNode node = data.get();
    try {
      DataPhase phase =
          retired.isPresent()
              ? DataPhase.retiring(s.spec(), s.templates(), node)
              : new DataPhase(s.spec(), s.templates(), node, s.environmentAppNodes());
      DataPhase.Report report = runOn(s, node, phase, false);
      console.progress(
          node.name()
              + " (data node): "
              + (report.changes().isEmpty()
                  ? "no changes"
                  : report.changes().size() + " to change"));
      if (!json) {
        for (Change c : report.changes()) {
          console.progress("  " + c.summary());
          c.reasons().forEach(r -> console.progress("    " + r));
        }
        BackupRelease.planned(
                report.backupTarget(), s.spec().backup().flatMap(BackupSpec::to), node.name())
            .ifPresent(console::progress);
      }
      if (retired.isPresent()) {
        return Optional.empty();
      }
      return Optional.of(
          report.env() != null
              ? report.env()
              : ServicesEnv.of("# made by the data node on its first deploy\n", List.of()));
    } catch (RolloutException e) {
      if (retired.isPresent() && e.kind() == RolloutException.Kind.UNREACHABLE) {
        cannotCheck(node, e);
        return Optional.empty();
      }
      throw new CommandException(
          e.kind() == RolloutException.Kind.USAGE ? ExitCode.USAGE : ExitCode.NODE,
          "the data node " + node.name() + ": " + e.getMessage());
    } catch (IOException e) {
      if (retired.isPresent()) {
        cannotCheck(node, e);
        return Optional.empty();
      }
      throw new CommandException(
          ExitCode.NODE, node.name() + " (data node): cannot connect: " + e.getMessage());
    }
  }

  /** Without services:, an unreachable db node is a warning: the app no longer uses it. */
  private void cannotCheck(FleetNode node, Exception e) {
    console.warn(
        node.name()
            + " (data node): cannot check it for services left from before ("
            + e.getMessage()
            + "); the next deploy tries again");
  }

  /**
   * The retiring phase: a db node unreachable is a warning, not a failed deploy (the app no longer
   * uses it); the next deploy tries again.
   */
  private Optional<DataPhase.Report> retire(Session s, FleetNode node)
      throws CommandException, InterruptedException {
    DataPhase.Report report;
    try {
      report = runOn(s, node, DataPhase.retiring(s.spec(), s.templates(), node), true);
    } catch (IOException | RolloutException e) {
      if (e instanceof RolloutException r && r.kind() != RolloutException.Kind.UNREACHABLE) {
        throw new CommandException(
            ExitCode.FAILED,
            "the data node " + node.name() + " (before any app node): " + e.getMessage());
      }
      cannotCheck(node, e);
      return Optional.empty();
    }
    console.progress(
        node.name()
            + " (data node): "
            + (report.changes().isEmpty()
                ? "unchanged"
                : report.changes().size()
                    + " changed: services: left hoist.yml, so it no longer serves the app; the"
                    + " data stays ('hoist services purge SERVICE' deletes it)")
            + String.format(
                Locale.ROOT,
                ", %d round trip%s, %.1fs",
                report.roundTrips(),
                report.roundTrips() == 1 ? "" : "s",
                report.seconds()));
    return Optional.of(report);
  }

  /** Runs (or plans) {@code phase} over a connection of its own to {@code node}. */
  private DataPhase.Report runOn(Session s, FleetNode node, DataPhase phase, boolean apply)
      throws IOException, RolloutException, InterruptedException {
    Node connection = s.connect(node);
    try {
      return apply ? phase.run(connection, progress(node)) : phase.plan(connection);
    } finally {
      Transfers.close(connection);
    }
  }

  private DeployListener progress(FleetNode node) {
    return new ProgressPrinter(console, verbose, node.name());
  }
}
