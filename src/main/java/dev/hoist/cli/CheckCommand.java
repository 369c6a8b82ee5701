package dev.hoist.cli;

import dev.hoist.fleet.Fleet;
import dev.hoist.fleet.FleetResult;
import dev.hoist.fleet.NodeOutcome;
import dev.hoist.ops.Status;
import dev.hoist.release.ReleaseSteps;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/**
 * {@code hoist check}: a Nagios plugin (https://nagios-plugins.org/doc/guidelines.html): one line
 * of output, exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
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

  @Mixin TargetOptions targetOptions;

  @Override
  public Integer call() throws InterruptedException {
    Session s;
    try {
      s = Session.open(projectArg.path, targetOptions, root.ssh).appNodes();
    } catch (CommandException e) {
      root.console.line("HOIST UNKNOWN - " + e.getMessage().lines().findFirst().orElse(""));
      return UNKNOWN;
    }
    var stack = s.stack();
    Fleet.Task<Status.Report> task =
        (node, connection) ->
            new Status(Session.engine(connection)).read(stack, new ReleaseSteps(stack).health());
    FleetResult<Status.Report> result = s.run(task, new Fleet.Listener() {}, false);
    // The worst node decides the state, as a Nagios service check of a whole cluster does.
    int worst = OK;
    String worstLine = "";
    for (NodeOutcome<Status.Report> o : result.outcomes()) {
      String where = s.local() ? s.spec().app() : s.spec().app() + " on " + o.node();
      int state;
      String line;
      if (o.failure().isPresent()) {
        state = UNKNOWN;
        line =
            "HOIST UNKNOWN - "
                + where
                + ": "
                + o.failure().get().message().lines().findFirst().orElse("");
      } else {
        Status.Report r = o.result().orElseThrow();
        String release = " | release=" + r.release().orElse("none");
        var down =
            r.processes().stream()
                .filter(p -> !"run".equals(p.state()))
                .map(Status.Process::service)
                .toList();
        if (!r.healthy()) {
          state = CRITICAL;
          line = "HOIST CRITICAL - " + where + ": " + r.url() + " " + r.health() + release;
        } else if (!down.isEmpty()) {
          state = WARNING;
          line =
              "HOIST WARNING - "
                  + where
                  + ": healthy, but not running: "
                  + String.join(", ", down)
                  + release;
        } else {
          state = OK;
          line = "HOIST OK - " + where + ": " + r.url() + " " + r.health() + release;
        }
      }
      if (rank(state) > rank(worst) || worstLine.isEmpty()) {
        worst = state;
        worstLine = line;
      }
    }
    long ok =
        result.outcomes().stream()
            .filter(o -> o.result().map(Status.Report::healthy).orElse(false))
            .count();
    root.console.line(
        s.local()
            ? worstLine
            : worstLine + " (" + ok + " of " + result.outcomes().size() + " nodes healthy)");
    return worst;
  }

  /** UNKNOWN ranks between WARNING and CRITICAL, as Nagios orders service states. */
  private static int rank(int state) {
    return switch (state) {
      case OK -> 0;
      case WARNING -> 1;
      case UNKNOWN -> 2;
      default -> 3;
    };
  }
}
