package dev.hoist.cli;

import dev.hoist.fleet.Fleet;
import dev.hoist.fleet.FleetResult;
import dev.hoist.ops.Status;
import dev.hoist.release.ReleaseSteps;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code hoist status}: the live release, each process with pid and uptime, and health. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Shows the live release, each supervised process (pid, uptime) and the health check.")
final class StatusCommand implements Callable<Integer> {
  @ParentCommand HoistCommand root;

  @Mixin ProjectArg projectArg;

  @Mixin TargetOptions targetOptions;

  @Option(names = "--json", description = "Print the status as JSON on stdout.")
  boolean json;

  @Override
  public Integer call() throws CommandException, InterruptedException {
    Session s = Session.open(projectArg.path, targetOptions, root.ssh);
    var stack = s.stack();
    Fleet.Task<Status.Report> task =
        (node, connection) -> new Status(Session.engine(connection)).read(stack, new ReleaseSteps(stack).health());
    if (json) {
      FleetResult<Status.Report> result = s.run(task, new Fleet.Listener() {}, false);
      if (s.local()) {
        Status.Report r = PerNode.only(result);
        root.console.json(r);
        return r.healthy() ? ExitCode.OK : ExitCode.FAILED;
      }
      root.console.json(FleetView.json(result, Status.Report::healthy));
      return PerNode.exitCode(result, Status.Report::healthy);
    }
    return PerNode.exitCode(PerNode.run(s, root.console, task, (node, r) -> show(r)), Status.Report::healthy);
  }

  private void show(Status.Report r) {
    Console c = root.console;
    c.line(c.bold(r.app()) + " on " + r.node() + ": release " + r.release().orElse("none")
        + c.dim(" (" + r.releases() + " kept)"));
    for (Status.Process p : r.processes()) {
      String state = "run".equals(p.state()) ? c.green("running") : c.red(p.state());
      c.line(String.format("  %-28s %-9s %s", p.service(), state,
          p.pid().map(pid -> "pid " + pid).orElse("") + p.uptimeSeconds().map(u -> ", up " + uptime(u)).orElse("")));
    }
    c.line("  health " + r.url() + ": " + (r.healthy() ? c.green("healthy") : c.red("unhealthy")) + c.dim(" (" + r.health() + ")"));
  }

  static String uptime(long s) {
    if (s < 120) {
      return s + "s";
    }
    if (s < 7200) {
      return s / 60 + "m";
    }
    return s / 3600 + "h" + (s % 3600) / 60 + "m";
  }
}
