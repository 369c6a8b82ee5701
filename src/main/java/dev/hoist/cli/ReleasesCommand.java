package dev.hoist.cli;

import dev.hoist.release.DeployException;
import dev.hoist.release.ReleaseState;
import dev.hoist.release.Rollback;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code hoist releases}: the releases on the node, oldest first, the live one marked. */
@Command(name = "releases", mixinStandardHelpOptions = true,
    description = "Lists the releases kept on the node (release.keep of them), marking the live one.")
final class ReleasesCommand implements Callable<Integer> {
  @ParentCommand HoistCommand root;

  @Mixin ProjectArg projectArg;

  @Option(names = "--json", description = "Print the list as JSON on stdout.")
  boolean json;

  @Override
  public Integer call() throws CommandException, InterruptedException {
    Session s = Session.open(projectArg.path);
    ReleaseState state;
    try {
      state = new Rollback(s.engine()).releases(s.stack());
    } catch (DeployException e) {
      throw new CommandException(ExitCode.NODE, e.getMessage());
    }
    if (json) {
      root.console.json(state);
      return ExitCode.OK;
    }
    if (state.releases().isEmpty()) {
      root.console.line("no releases of " + s.spec().app() + " yet; 'hoist deploy' makes the first");
      return ExitCode.OK;
    }
    for (ReleaseState.Release r : state.releases()) {
      boolean live = state.current().map(r.id()::equals).orElse(false);
      String mark = live ? root.console.green("* ") : "  ";
      String note = live ? root.console.green("live") : r.failed() ? root.console.red("failed")
          : r.incomplete() ? root.console.yellow("incomplete") : "";
      root.console.line(mark + r.id() + "  " + r.created() + "  " + note);
    }
    return ExitCode.OK;
  }
}
