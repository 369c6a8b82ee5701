package dev.hoist.cli;

import dev.hoist.release.DeployException;
import dev.hoist.release.DeployReport;
import dev.hoist.release.Deployer;
import dev.hoist.release.ReleaseBundle;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
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

  @Option(names = "--json", description = "Print the plan as JSON on stdout.")
  boolean json;

  @Override
  public Integer call() throws CommandException, InterruptedException {
    return show(root.console, projectArg.path, json);
  }

  static int show(Console console, String project, boolean json) throws CommandException, InterruptedException {
    Session s = Session.open(project);
    DeployReport report;
    try {
      report = new Deployer(s.engine(), s.templates(), ReleaseBundle.of(s.spec())).plan(s.spec());
    } catch (DeployException e) {
      throw new CommandException(ExitCode.NODE, e.getMessage());
    }
    if (json) {
      console.json(report);
    } else {
      new ReportView(console).plan(report, true);
    }
    return ExitCode.OK;
  }
}
