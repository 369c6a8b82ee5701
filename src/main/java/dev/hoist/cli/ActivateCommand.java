package dev.hoist.cli;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hoist activate [PROJECT] RELEASE}: switch chosen nodes to a release already on them. */
@Command(
    name = "activate",
    mixinStandardHelpOptions = true,
    description = {
      "Switches nodes to a release that is already on them.",
      "The release was prepared by a deploy, or is an older one from 'hoist releases'. gunicorn",
      "reloads gracefully and the node is health-checked; a sick release is switched back at",
      "once. Like a per-node 'current' symlink: run a new release on one node first by hand.",
      "",
      "Behind an environment's load balancer the node is drained first and put back once",
      "HAProxy sees it healthy, under the environment's deploy lock."
    },
    footer = {
      "",
      "Examples:",
      "  hoist activate 20261124T101500Z-3f2a9c1 --env live --node web1",
      "  hoist activate mysite 20261124T101500Z-3f2a9c1            this machine"
    })
final class ActivateCommand implements Callable<Integer> {
  @ParentCommand HoistCommand root;

  @Parameters(
      arity = "1..2",
      paramLabel = "[PROJECT] RELEASE",
      description =
          "Project directory (default: current directory) and the release id to switch to.")
  List<String> args = List.of();

  @Mixin TargetOptions targetOptions;

  @Mixin OutputOptions output;

  @Override
  public Integer call() throws CommandException, InterruptedException {
    String project = args.size() == 2 ? args.get(0) : ".";
    return RollbackCommand.switchTo(
        root, project, Optional.of(args.getLast()), targetOptions, output.json, false);
  }
}
