package dev.hoist.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.fleet.FleetNode;
import dev.hoist.node.Node;
import dev.hoist.services.DataRunner;
import dev.hoist.services.DataTransfer;
import dev.hoist.services.PgRestoreList;
import dev.hoist.services.TransferException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code hoist migrate}: the app's data from one node (or environment) to another, streamed. */
@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    description = {
      "Moves the app's data (PostgreSQL, Redis, uploads) from one data node to another as one",
      "streamed backup piped into a restore, through this machine and never onto a disk. The",
      "bundle is verified as it passes, and the target verifies it again before it swaps anything:",
      "a bundle that is not right never reaches the target whole. The target's old data is kept",
      "as after 'hoist restore' (and refused unless --yes when it has any); the source is only read.",
      "Both sides need the app deployed with 'services:' first."
    },
    footer = {
      "",
      "Examples:",
      "  hoist migrate --from db-old --to db-new",
      "  hoist migrate --from-env live --to-env stage --yes",
      "",
      "Exit code: 0 moved and swapped in, 1 failed (the target's live data untouched), 2 refused,",
      "3 a node could not be reached, 130 interrupted."
    })
final class MigrateCommand implements Callable<Integer> {
  @ParentCommand HoistCommand root;

  @Mixin ProjectArg projectArg;

  @Option(names = "--from", paramLabel = "NODE", description = "The node that has the data now.")
  String fromNode;

  @Option(names = "--to", paramLabel = "NODE", description = "The node to move it to.")
  String toNode;

  @Option(
      names = "--from-env",
      paramLabel = "ENV",
      description = "The environment whose data node has the data now.")
  String fromEnv;

  @Option(
      names = "--to-env",
      paramLabel = "ENV",
      description = "The environment whose data node gets it.")
  String toEnv;

  @Option(
      names = "--yes",
      description = "Replace data the target has now (it is kept aside until --cleanup).")
  boolean yes;

  @Mixin OutputOptions json;

  /** The --json result of a migration. */
  record Result(
      boolean ok,
      String app,
      String from,
      String to,
      long bytes,
      double seconds,
      double windowSeconds,
      JsonNode restore) {}

  @Override
  public Integer call() throws CommandException, InterruptedException {
    FleetNode from = dataNode(fromNode, fromEnv, "--from", "--from-env");
    FleetNode to = dataNode(toNode, toEnv, "--to", "--to-env");
    if (from.spec().host().equals(to.spec().host()) && from.spec().port() == to.spec().port()) {
      throw new CommandException(
          ExitCode.USAGE,
          "the data is on "
              + from.name()
              + " already: --from and --to name the same node; restore a bundle to go back in"
              + " time");
    }
    Session s = session(fromNode, fromEnv);
    String app = s.spec().app();
    Console console = root.console;
    Session into = session(toNode, toEnv);
    // Into an environment whose data is on a db node of its own: its web nodes' flags and reloads.
    Optional<AppNodes> elsewhere =
        toEnv == null ? Optional.empty() : AppNodes.ofSeparateDataNode(into, console);
    List<String> argv = DataRunner.restore(app, Optional.empty(), yes);
    if (elsewhere.isPresent()) {
      argv = DataRunner.elsewhere(argv);
    }
    // The web nodes' flags go on only once the node staged everything: the window is the swap.
    DataTransfer transfer =
        new DataTransfer(
            new PgRestoreList(),
            elsewhere.<DataTransfer.BeforeSwap>map(a -> a::flagsOn).orElse(null));
    try (CtrlC ctrlC = new CtrlC(console, transfer::cancel);
        AppNodes apps = elsewhere.orElse(null)) {
      Node source = BackupCommand.connect(s, from);
      Node target = null;
      try (TransferProgress progress =
          new TransferProgress(
              console, from.name() + " → " + to.name(), OptionalLong.empty(), json.json)) {
        target = BackupCommand.connect(into, to);
        DataTransfer.Migration m =
            transfer.migrate(source, app, target, argv, BackupCommand.listener(progress));
        double seconds = progress.seconds();
        progress.close();
        double window = m.restore().path("window_seconds").asDouble();
        if (apps != null) {
          apps.reloadAndFlagsOff();
          window = apps.window();
        }
        report(app, from.name(), to.name(), m, seconds, window);
        return ExitCode.OK;
      } catch (TransferException e) {
        throw Transfers.failure(e, ctrlC);
      } finally {
        Transfers.close(source);
        if (target != null) {
          Transfers.close(target);
        }
      }
    }
  }

  /** The data node picked by a node name or an environment (exactly one of the two). */
  private FleetNode dataNode(String node, String env, String nodeOption, String envOption)
      throws CommandException {
    if ((node == null) == (env == null)) {
      throw new CommandException(
          ExitCode.USAGE,
          "give exactly one of "
              + nodeOption
              + " NODE and "
              + envOption
              + " ENV, e.g. hoist migrate --from db-old --to db-new");
    }
    return session(node, env).dataNode();
  }

  private Session session(String node, String env) throws CommandException {
    TargetOptions options = new TargetOptions();
    options.env = env;
    options.nodes = node == null ? new ArrayList<>() : new ArrayList<>(List.of(node));
    options.parallel = 1;
    return Session.open(projectArg.path, options, root.ssh);
  }

  private void report(
      String app, String from, String to, DataTransfer.Migration m, double seconds, double window) {
    Console console = root.console;

    if (json.json) {
      console.json(
          new Result(true, app, from, to, m.bundle().bytes(), seconds, window, m.restore()));
      return;
    }
    console.line(
        console.green("migrated")
            + String.format(
                Locale.ROOT,
                " %s's data from %s to %s: %s in %.1fs, verified on the way and on arrival; the 503"
                    + " window on %s was %.2fs",
                app,
                from,
                to,
                TransferProgress.mb(m.bundle().bytes()),
                seconds,
                to,
                window));
    List<String> kept = new ArrayList<>();
    m.restore().path("kept").properties().forEach(e -> kept.add(e.getValue().asText()));
    if (!kept.isEmpty()) {
      console.line(
          "old data kept on "
              + to
              + ": "
              + String.join(", ", kept)
              + console.dim("  ('hoist restore --cleanup' removes it)"));
    }
  }
}
