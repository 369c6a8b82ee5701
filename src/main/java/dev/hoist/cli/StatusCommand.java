package dev.hoist.cli;

import dev.hoist.node.AgentException;
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

  @Option(names = "--json", description = "Print the status as JSON on stdout.")
  boolean json;

  @Override
  public Integer call() throws CommandException, InterruptedException {
    Session s = Session.open(projectArg.path);
    var stack = s.stack();
    Status.Report r;
    try {
      r = new Status(s.engine()).read(stack, new ReleaseSteps(stack).health());
    } catch (AgentException e) {
      throw new CommandException(ExitCode.NODE, e.getMessage());
    }
    if (json) {
      root.console.json(r);
      return r.healthy() ? ExitCode.OK : ExitCode.FAILED;
    }
    Console c = root.console;
    c.line(c.bold(r.app()) + " on " + r.node() + ": release " + r.release().orElse("none")
        + c.dim(" (" + r.releases() + " kept)"));
    for (Status.Process p : r.processes()) {
      String state = "run".equals(p.state()) ? c.green("running") : c.red(p.state());
      c.line(String.format("  %-28s %-9s %s", p.service(), state,
          p.pid().map(pid -> "pid " + pid).orElse("") + p.uptimeSeconds().map(u -> ", up " + uptime(u)).orElse("")));
    }
    c.line("  health " + r.url() + ": " + (r.healthy() ? c.green("healthy") : c.red("unhealthy")) + c.dim(" (" + r.health() + ")"));
    return r.healthy() ? ExitCode.OK : ExitCode.FAILED;
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
