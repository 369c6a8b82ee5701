package dev.hoist.cli;

import dev.hoist.scaffold.Scaffold;
import dev.hoist.scaffold.ScaffoldException;
import dev.hoist.scaffold.ScaffoldResult;
import dev.hoist.stack.Templates;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hoist init DIR --template T}: a working project skeleton with a commented hoist.yml. */
@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    description = {
      "Writes a new project: a small app and a hoist.yml that documents every key.",
      "Skeletons in ~/.config/hoist/templates/skeletons/NAME/ (or $HOIST_TEMPLATES/skeletons/NAME/)",
      "replace or add to the built-in ones."
    })
final class InitCommand implements Callable<Integer> {
  @ParentCommand HoistCommand root;

  @Parameters(index = "0", paramLabel = "DIR", description = "Directory to create the project in.")
  Path dir;

  @Option(
      names = {"-t", "--template"},
      defaultValue = "wsgi",
      description =
          "Skeleton: wsgi (no dependencies), flask or django, or one of yours (default: ${DEFAULT-VALUE}).")
  String template;

  @Option(names = "--name", description = "The app's name (default: derived from DIR).")
  String name;

  @Override
  public Integer call() throws CommandException {
    try {
      ScaffoldResult result = new Scaffold(Templates.userTemplateDir()).create(dir, template, name);
      root.console.line(
          "created "
              + result.template()
              + " project in "
              + result.dir()
              + " ("
              + result.written().size()
              + " files)");
      root.console.line("next:  hoist plan " + result.dir() + "    # see what a deploy would do");
      root.console.line("       hoist deploy " + result.dir() + "  # put it live on this machine");
      return ExitCode.OK;
    } catch (ScaffoldException e) {
      throw new CommandException(ExitCode.USAGE, e.getMessage());
    }
  }
}
