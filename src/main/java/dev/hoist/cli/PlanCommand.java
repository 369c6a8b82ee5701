package dev.hoist.cli;

import dev.hoist.fleet.Fleet;
import dev.hoist.fleet.FleetResult;
import dev.hoist.project.BackupSpec;
import dev.hoist.release.DeployReport;
import dev.hoist.release.Deployer;
import dev.hoist.release.Deployment;
import dev.hoist.rollout.DeployService;
import dev.hoist.rollout.RolloutException;
import dev.hoist.stack.ServicesEnv;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code hoist plan}: what a deploy would change, as a per-resource diff; touches nothing. */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = {
      "Shows what 'hoist deploy' would change on the node, per resource, with a diff for each",
      "config file and whether a new release would be made. Nothing is changed."
    })
final class PlanCommand implements Callable<Integer> {
  @ParentCommand HoistCommand root;

  @Mixin ProjectArg projectArg;

  @Mixin TargetOptions targetOptions;

  @Mixin OutputOptions output;

  @Override
  public Integer call() throws CommandException, InterruptedException {
    return show(root.console, projectArg.path, targetOptions, root.ssh, output.json);
  }

  static int show(
      Console console, String project, TargetOptions targets, SshAccess ssh, boolean json)
      throws CommandException, InterruptedException {
    Session opened = Session.open(project, targets, ssh);
    // backup.json names the copy target's address and host key, as a deploy would write it.
    Session full;
    try (BackupCopies copies = BackupCopies.open(opened).orElse(null)) {
      full = copies == null ? opened : copies.session();
    }
    Session s = full.appNodes();
    // A db node of its own: its plan first, and the env it holds for the app nodes' plans.
    Optional<ServicesEnv> remote = new DataPhaseRunner(console, false).plan(full, json);
    Deployment deployment;
    try {
      deployment =
          DeployService.deployment(
              s.spec(),
              s.templates(),
              full.balancer(),
              full.balancerOnly(),
              Optional.empty(),
              remote);
    } catch (RolloutException e) {
      throw new CommandException(ExitCode.USAGE, e.getMessage());
    }
    Fleet.Task<DeployReport> task =
        (node, connection) -> new Deployer(Session.engine(connection), deployment).plan();
    if (json) {
      FleetResult<DeployReport> result = s.run(task, new Fleet.Listener() {}, false);
      console.json(
          s.local()
              ? result.outcomes().getFirst().result().orElse(null)
              : FleetView.json(result, r -> true));
      return PerNode.exitCode(result, r -> true);
    }
    ReportView view = new ReportView(console);
    int exit =
        PerNode.exitCode(PerNode.run(s, console, task, (node, r) -> view.plan(r, true)), r -> true);
    if (remote.isEmpty() && deployment.backupTarget().isPresent()) {
      BackupRelease.planned(
              deployment.backupTarget(),
              s.spec().backup().flatMap(BackupSpec::to),
              full.dataNode().name())
          .ifPresent(console::line);
    }
    return exit;
  }
}
