package dev.hoist.cli;

import dev.hoist.fleet.Fleet;
import dev.hoist.fleet.FleetResult;
import dev.hoist.fleet.NodeOutcome;
import dev.hoist.node.ExecRequest;
import dev.hoist.node.ExecResult;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code hoist exec --env ENV -- CMD ARGS}: one command on every node, output grouped per node. */
@Command(
    name = "exec",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a command on every node of an environment at once (as root: through sudo when the",
      "node's user is not root) and prints each node's output together, with its exit code.",
      "The command goes after '--' and is passed as arguments, never through a local shell."
    },
    footer = {
      "",
      "Examples:",
      "  hoist exec --env live -- curl -sS -o /dev/null -w '%%{http_code}\\n' http://localhost/",
      "  hoist exec --env live --node web1,web2 -- uptime",
      "  hoist exec --env stage --json -- df -h /srv",
      "",
      "Exit code: 0 when the command exited 0 on every node, 1 when it failed on some, 3 when a",
      "node could not be reached."
    })
final class ExecCommand implements Callable<Integer> {
  @ParentCommand HoistCommand root;

  @Mixin ProjectArg projectArg;

  @Mixin TargetOptions targetOptions;

  @Option(
      names = "--timeout",
      defaultValue = "60s",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Stop the command after this long (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Mixin OutputOptions output;

  @Override
  public Integer call() throws CommandException, InterruptedException {
    if (root.userCommand.isEmpty()) {
      throw new CommandException(
          ExitCode.USAGE,
          "no command given; put it after '--', e.g. hoist exec --env live -- uptime");
    }
    Session s = Session.open(projectArg.path, targetOptions, root.ssh);
    Fleet.Task<ExecResult> task =
        (node, connection) ->
            connection.exec(new ExecRequest(root.userCommand, null, timeout, null));
    FleetResult<ExecResult> result = s.run(task, new Fleet.Listener() {}, false);
    if (output.json) {
      root.console.json(FleetView.json(result, ExecResult::ok));
    } else {
      for (NodeOutcome<ExecResult> o : result.outcomes()) {
        show(o);
      }
    }
    return PerNode.exitCode(result, ExecResult::ok);
  }

  private void show(NodeOutcome<ExecResult> o) {
    Console c = root.console;
    if (o.failure().isPresent()) {
      c.line(
          c.bold("== " + o.node()) + " " + c.red(o.failure().get().kind().label()) + c.bold(" =="));
      c.line(o.failure().get().message());
      return;
    }
    ExecResult r = o.result().orElseThrow();
    String exit = r.ok() ? c.green("exit 0") : c.red("exit " + r.exitCode());
    c.line(
        c.bold("== " + o.node())
            + " "
            + exit
            + c.dim(String.format(java.util.Locale.ROOT, " %.2fs", o.elapsed().toNanos() / 1e9))
            + c.bold(" =="));
    if (!r.stdout().isEmpty()) {
      c.line(r.stdout().stripTrailing());
    }
    if (!r.stderr().isBlank()) {
      c.line(c.yellow(r.stderr().stripTrailing()));
    }
  }
}
