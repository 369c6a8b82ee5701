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
import dev.hoist.rollout.RollingSwitch;
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
@Command(
    name = "rollback",
    mixinStandardHelpOptions = true,
    description = {
      "Switches the app back to an earlier release (default: the one before the live one),",
      "reloads gunicorn gracefully and health-checks it; if that release is sick too, the",
      "release that was live stays live.",
      "",
      "Behind an environment's load balancer, nodes go back batch by batch, each drained first;",
      "while a canary waits (hoist deploy --canary), only the canary's nodes go back."
    })
final class RollbackCommand implements Callable<Integer> {
  @ParentCommand HoistCommand root;

  @Parameters(
      arity = "0..2",
      paramLabel = "[PROJECT] [RELEASE]",
      description = "Project directory (default: current directory) and the release id to go to.")
  List<String> args = List.of();

  @Mixin TargetOptions targetOptions;

  @Mixin OutputOptions output;

  // hoist server rolling back a pushed branch: its hoist.yml names only the project's files.
  @Option(names = "--pushed", hidden = true)
  boolean pushed;

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
    return switchTo(root, project, release, targetOptions, output.json, pushed);
  }

  /**
   * Switches the chosen nodes to {@code release} (empty: each one's previous release); behind an
   * environment's load balancer, batch by batch, drained, under the environment's lock.
   */
  static int switchTo(
      HoistCommand root,
      String project,
      Optional<String> release,
      TargetOptions targetOptions,
      boolean json,
      boolean pushed)
      throws CommandException, InterruptedException {
    Session s = Session.open(project, targetOptions, root.ssh, pushed).appNodes();
    var stack = s.stack();
    if (!s.local() && s.balancer().isPresent()) {
      return behindBalancer(root, s, stack, release, json);
    }
    Optional<String> to = release;
    Fleet.Task<DeployReport> task =
        new Fleet.Task<>() {
          @Override
          public DeployReport run(FleetNode node, Node connection)
              throws DeployException, InterruptedException {
            return new Rollback(Session.engine(connection))
                .rollback(
                    stack,
                    to,
                    json || !s.local()
                        ? DeployListener.none()
                        : new ProgressPrinter(root.console, false));
          }

          @Override
          public boolean succeeded(DeployReport report) {
            return report.ok();
          }
        };
    FleetResult<DeployReport> result = s.run(task, new Fleet.Listener() {}, false);
    if (json) {
      root.console.json(
          s.local() ? PerNode.only(result) : FleetView.json(result, DeployReport::ok));
      return PerNode.exitCode(result, DeployReport::ok);
    }
    if (s.local() && result.outcomes().getFirst().failure().isPresent()) {
      throw new CommandException(
          ExitCode.FAILED, result.outcomes().getFirst().failure().get().message());
    }
    for (NodeOutcome<DeployReport> o : result.outcomes()) {
      o.failure().ifPresent(f -> root.console.error(o.node() + ": " + f.message()));
      o.result().ifPresent(r -> show(root, r));
    }
    return PerNode.exitCode(result, DeployReport::ok);
  }

  private static int behindBalancer(
      HoistCommand root,
      Session s,
      dev.hoist.stack.Stack stack,
      Optional<String> release,
      boolean json)
      throws CommandException, InterruptedException {
    FleetNode lb = s.balancer().orElseThrow();
    List<FleetNode> webs = s.targets();
    String env = s.environment().orElseThrow();
    String command =
        release.map(r -> "hoist activate " + r).orElse("hoist rollback") + " --env " + env;
    return new RolloutRunner(root.console, json, false)
        .run(s, new RollingSwitch(stack, env, webs, lb, release, command));
  }

  private static void show(HoistCommand root, DeployReport report) {
    if (report.ok()) {
      root.console.line(
          report.node()
              + ": rolled back to "
              + root.console.bold(report.live().orElse("?"))
              + " (was "
              + report.liveBefore().orElse("?")
              + "), healthy");
    } else {
      root.console.error(report.node() + ": " + report.error().orElse("rollback failed").strip());
      root.console.line(report.node() + ": release " + report.live().orElse("?") + " is live");
    }
  }
}
