package dev.hoist.cli;

import dev.hoist.fleet.Fleet;
import dev.hoist.fleet.FleetNode;
import dev.hoist.fleet.FleetResult;
import dev.hoist.fleet.NodeOutcome;
import dev.hoist.node.Node;
import dev.hoist.release.DeployException;
import dev.hoist.release.DeployListener;
import dev.hoist.release.DeployReport;
import dev.hoist.release.Rollback;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hoist rollback [PROJECT] [RELEASE]}: switch back, gracefully and health-checked. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
    description = {
      "Switches the app back to an earlier release (default: the one before the live one),",
      "reloads gunicorn gracefully and health-checks it; if that release is sick too, the",
      "release that was live stays live."
    })
final class RollbackCommand implements Callable<Integer> {
  @ParentCommand HoistCommand root;

  @Parameters(arity = "0..2", paramLabel = "[PROJECT] [RELEASE]",
      description = "Project directory (default: current directory) and the release id to go to.")
  List<String> args = List.of();

  @Mixin TargetOptions targetOptions;

  @Option(names = "--json", description = "Print the result as JSON on stdout.")
  boolean json;

  @Override
  public Integer call() throws CommandException, InterruptedException {
    String project = ".";
    Optional<String> release = Optional.empty();
    if (args.size() == 2) {
      project = args.get(0);
      release = Optional.of(args.get(1));
    } else if (args.size() == 1) {
      // One word: a project if it holds a hoist.yml, else a release id.
      Path p = Path.of(args.get(0));
      if (Files.isDirectory(p) || p.getFileName().toString().endsWith(".yml")) {
        project = args.get(0);
      } else {
        release = Optional.of(args.get(0));
      }
    }
    Session s = Session.open(project, targetOptions, root.ssh);
    var stack = s.stack();
    Optional<String> to = release;
    Fleet.Task<DeployReport> task = new Fleet.Task<>() {
      @Override
      public DeployReport run(FleetNode node, Node connection) throws DeployException, InterruptedException {
        return new Rollback(Session.engine(connection)).rollback(stack, to,
            json || !s.local() ? DeployListener.none() : new ProgressPrinter(root.console, false));
      }

      @Override
      public boolean succeeded(DeployReport report) {
        return report.ok();
      }
    };
    FleetResult<DeployReport> result = s.run(task, new Fleet.Listener() {}, false);
    if (json) {
      root.console.json(s.local() ? PerNode.only(result) : FleetView.json(result, DeployReport::ok));
      return PerNode.exitCode(result, DeployReport::ok);
    }
    if (s.local() && result.outcomes().getFirst().failure().isPresent()) {
      throw new CommandException(ExitCode.FAILED, result.outcomes().getFirst().failure().get().message());
    }
    for (NodeOutcome<DeployReport> o : result.outcomes()) {
      o.failure().ifPresent(f -> root.console.error(o.node() + ": " + f.message()));
      o.result().ifPresent(this::show);
    }
    return PerNode.exitCode(result, DeployReport::ok);
  }

  private void show(DeployReport report) {
    if (report.ok()) {
      root.console.line(report.node() + ": rolled back to " + root.console.bold(report.live().orElse("?"))
          + " (was " + report.liveBefore().orElse("?") + "), healthy");
    } else {
      root.console.error(report.node() + ": " + report.error().orElse("rollback failed").strip());
      root.console.line(report.node() + ": release " + report.live().orElse("?") + " is live");
    }
  }
}
