package dev.hoist.cli;

import dev.hoist.ops.AppCommand;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code hoist run [PROJECT] -- CMD ARGS}: a one-off command in the app's environment. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {
      "Runs a one-off command in the app's environment: its virtualenv, env vars, the live",
      "release as working directory, as the app's user. The command goes after '--' and its",
      "exit code is passed through, e.g.:  hoist run examples/django -- python manage.py migrate"
    })
final class RunCommand implements Callable<Integer> {
  @ParentCommand HoistCommand root;

  @Mixin ProjectArg projectArg;

  @Option(names = {"-t", "--tty"}, description = "Attach a terminal (for shells and prompts).")
  boolean tty;

  @Override
  public Integer call() throws CommandException, InterruptedException {
    if (root.userCommand.isEmpty()) {
      throw new CommandException(ExitCode.USAGE,
          "no command given; put it after '--', e.g. hoist run " + projectArg.path + " -- python -V");
    }
    Session s = Session.open(projectArg.path);
    var layout = s.stack().layout();
    if (!java.nio.file.Files.exists(java.nio.file.Path.of(layout.current()))) {
      throw new CommandException(ExitCode.FAILED, s.spec().app() + " has no live release here; run 'hoist deploy " + projectArg.path + "' first");
    }
    try {
      return s.node().interactive(AppCommand.argv(layout, root.userCommand), tty);
    } catch (IOException e) {
      throw new CommandException(ExitCode.NODE, e.getMessage());
    }
  }
}
