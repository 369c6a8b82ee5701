package dev.hoist.cli;

import dev.hoist.fleet.FleetNode;
import dev.hoist.node.Node;
import dev.hoist.ops.AppCommand;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code hoist run [PROJECT] -- CMD ARGS}: a one-off command in the app's environment. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a one-off command in the app's environment: its virtualenv, env vars, the live",
      "release as working directory, as the app's user. The command goes after '--' and its",
      "exit code is passed through, e.g.:  hoist run examples/django -- python manage.py migrate"
    })
final class RunCommand implements Callable<Integer> {
  @ParentCommand HoistCommand root;

  @Mixin ProjectArg projectArg;

  @Mixin TargetOptions targetOptions;

  @Option(
      names = {"-t", "--tty"},
      description = "Attach a terminal (for shells and prompts).")
  boolean tty;

  @Override
  public Integer call() throws CommandException, InterruptedException {
    if (root.userCommand.isEmpty()) {
      throw new CommandException(
          ExitCode.USAGE,
          "no command given; put it after '--', e.g. hoist run "
              + projectArg.path
              + " -- python -V");
    }
    Session s = Session.open(projectArg.path, targetOptions, root.ssh).appNodes();
    FleetNode node = s.targets().getFirst();
    if (s.targets().size() > 1) {
      // One-off commands (migrations, a shell) run once, on the environment's first node.
      root.console.progress(
          root.console.dim(
              "running on "
                  + node.name()
                  + " (the first of "
                  + s.targets().size()
                  + " nodes; pick another with --node)"));
    }
    var layout = s.stack().layout();
    if (s.local() && !java.nio.file.Files.exists(java.nio.file.Path.of(layout.current()))) {
      throw new CommandException(
          ExitCode.FAILED,
          s.spec().app()
              + " has no live release here; run 'hoist deploy "
              + projectArg.path
              + "' first");
    }
    List<String> argv = AppCommand.argv(layout, root.userCommand);
    if (!s.local()) {
      // Remotely, the same check runs in the same round trip as the command.
      argv =
          new ArrayList<>(
              List.of(
                  "/bin/sh",
                  "-c",
                  "if [ ! -e \"$1\" ]; then echo \"$2 has no live release on"
                      + " this node; run 'hoist deploy' first\" >&2; exit 1; fi; shift 2; exec \"$@\"",
                  "hoist-run",
                  layout.current(),
                  s.spec().app()));
      argv.addAll(AppCommand.argv(layout, root.userCommand));
    }
    Node connection = null;
    try {
      connection = s.connect(node);
      return connection.interactive(argv, tty);
    } catch (IOException e) {
      // SSH errors name the node already; a local process error does not.
      String message = String.valueOf(e.getMessage());
      throw new CommandException(
          ExitCode.NODE,
          message.startsWith(node.name() + ":") ? message : node.name() + ": " + message);
    } finally {
      if (connection instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          // Closing a connection after the command ended loses nothing.
        }
      }
    }
  }
}
