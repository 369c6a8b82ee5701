package dev.hoist.cli;

import dev.hoist.fleet.Fleet;
import dev.hoist.fleet.FleetResult;
import dev.hoist.node.ExecRequest;
import dev.hoist.node.ExecResult;
import dev.hoist.ops.AppCommand;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code hoist logs [-f]}: the app's output (gunicorn, processes) and its nginx logs. */
@Command(
    name = "logs",
    mixinStandardHelpOptions = true,
    description =
        "Shows the app's logs: gunicorn's and each process's output (the journal of their units"
            + " on a node whose PID 1 is systemd), and nginx's access and error logs.")
final class LogsCommand implements Callable<Integer> {
  @ParentCommand HoistCommand root;

  @Mixin ProjectArg projectArg;

  @Mixin TargetOptions targetOptions;

  @Option(
      names = {"-f", "--follow"},
      description = "Keep printing new lines until Ctrl-C.")
  boolean follow;

  @Option(
      names = {"-n", "--lines"},
      defaultValue = "30",
      description = "Lines of each log to show (default: ${DEFAULT-VALUE}).")
  int lines;

  @Override
  public Integer call() throws CommandException, InterruptedException {
    Session s = Session.open(projectArg.path, targetOptions, root.ssh).appNodes();
    var layout = s.stack().layout();
    List<String> argv =
        AppCommand.logs(
            layout,
            lines,
            follow,
            List.copyOf(s.spec().processes().keySet()),
            List.copyOf(s.spec().cron().keySet()));
    Duration timeout = follow ? Duration.ofDays(365) : Duration.ofSeconds(30);
    // Lines of several nodes interleave as they come, each behind its node's name.
    int width = s.targets().stream().mapToInt(n -> n.name().length()).max().orElse(0);
    Fleet.Task<ExecResult> task =
        (node, connection) ->
            connection.exec(
                new ExecRequest(
                    argv,
                    null,
                    timeout,
                    s.local()
                        ? root.console::line
                        : line ->
                            root.console.line(
                                root.console.dim(String.format("%-" + width + "s | ", node.name()))
                                    + line)));
    FleetResult<ExecResult> result = PerNode.run(s, root.console, task, (node, r) -> {});
    return follow ? ExitCode.OK : PerNode.exitCode(result, ExecResult::ok);
  }
}
