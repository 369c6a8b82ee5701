package dev.hoist.cli;

import dev.hoist.release.DeployException;
import dev.hoist.release.DeployReport;
import dev.hoist.release.DeployListener;
import dev.hoist.release.Deployer;
import dev.hoist.release.ReleaseBundle;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code hoist deploy}: converge the stack, ship a release, switch gracefully, health-check. */
@Command(
    name = "deploy",
    mixinStandardHelpOptions = true,
    description = {
      "Deploys the project: installs what the node lacks (nginx, gunicorn, runit, python3-venv),",
      "writes the app's config, ships the code as a new release beside the live one, switches to it",
      "without dropping a request, and health-checks it through nginx. A sick release is switched",
      "back at once. Running it again when nothing changed does nothing and says '0 changed'."
    })
final class DeployCommand implements Callable<Integer> {
  @ParentCommand HoistCommand root;

  @Mixin ProjectArg projectArg;

  @Option(names = "--dry-run", description = "Show what would change, as 'hoist plan' does; touch nothing.")
  boolean dryRun;

  @Option(names = "--json", description = "Print the result as JSON on stdout.")
  boolean json;

  @Option(names = {"-v", "--verbose"}, description = "Show the output of every command run on the node.")
  boolean verbose;

  @Override
  public Integer call() throws CommandException, InterruptedException {
    if (dryRun) {
      return PlanCommand.show(root.console, projectArg.path, json);
    }
    Session s = Session.open(projectArg.path);
    Deployer deployer = new Deployer(s.engine(), s.templates(), ReleaseBundle.of(s.spec()));
    DeployReport report;
    // On Ctrl-C the node agent stops at the next safe point (never between switch and health
    // check); wait for it so the user sees how the node was left.
    CountDownLatch done = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      root.console.warn("interrupted: letting the node reach a safe point (a complete release serving) ...");
      try {
        done.await(90, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      report = deployer.deploy(s.spec(), json ? DeployListener.none() : new ProgressPrinter(root.console, verbose));
    } catch (DeployException e) {
      throw new CommandException(ExitCode.NODE, e.getMessage());
    } finally {
      done.countDown();
    }
    removeHook(hook);
    if (json) {
      root.console.json(report);
    } else {
      new ReportView(root.console).deployed(report);
      if (report.ok() && report.changedCount() > 0) {
        root.console.line("serving " + "http://" + s.spec().domain() + "/  (try: curl -H 'Host: "
            + s.spec().domain() + "' http://127.0.0.1/)");
      }
    }
    return report.ok() ? ExitCode.OK : ExitCode.FAILED;
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // Already shutting down: the hook is running and returns at once.
    }
  }
}
