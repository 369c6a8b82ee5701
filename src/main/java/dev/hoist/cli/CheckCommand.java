package dev.hoist.cli;

import dev.hoist.node.AgentException;
import dev.hoist.ops.Status;
import dev.hoist.release.ReleaseSteps;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/**
 * {@code hoist check}: a Nagios plugin (https://nagios-plugins.org/doc/guidelines.html): one line of
 * output, exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = {
      "Checks the app as a Nagios/NRPE plugin: one status line, exit code 0 OK, 1 WARNING",
      "(healthy, but a supervised process is down), 2 CRITICAL (health check fails), 3 UNKNOWN",
      "(cannot tell: bad hoist.yml, node unreachable)."
    })
final class CheckCommand implements Callable<Integer> {
  static final int OK = 0;
  static final int WARNING = 1;
  static final int CRITICAL = 2;
  static final int UNKNOWN = 3;

  @ParentCommand HoistCommand root;

  @Mixin ProjectArg projectArg;

  @Override
  public Integer call() throws InterruptedException {
    Session s;
    try {
      s = Session.open(projectArg.path);
    } catch (CommandException e) {
      root.console.line("HOIST UNKNOWN - " + e.getMessage().lines().findFirst().orElse(""));
      return UNKNOWN;
    }
    var stack = s.stack();
    Status.Report r;
    try {
      r = new Status(s.engine()).read(stack, new ReleaseSteps(stack).health());
    } catch (AgentException e) {
      root.console.line("HOIST UNKNOWN - " + s.spec().app() + ": " + e.getMessage());
      return UNKNOWN;
    }
    String release = " | release=" + r.release().orElse("none");
    if (!r.healthy()) {
      root.console.line("HOIST CRITICAL - " + r.app() + ": " + r.url() + " " + r.health() + release);
      return CRITICAL;
    }
    var down = r.processes().stream().filter(p -> !"run".equals(p.state())).map(Status.Process::service).toList();
    if (!down.isEmpty()) {
      root.console.line("HOIST WARNING - " + r.app() + ": healthy, but not running: " + String.join(", ", down) + release);
      return WARNING;
    }
    root.console.line("HOIST OK - " + r.app() + ": " + r.url() + " " + r.health() + release);
    return OK;
  }
}
