package dev.hoist.cli;

import dev.hoist.fleet.Fleet;
import dev.hoist.fleet.FleetResult;
import dev.hoist.release.ReleaseState;
import dev.hoist.release.Rollback;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code hoist releases}: the releases on the node, oldest first, the live one marked. */
@Command(
    name = "releases",
    mixinStandardHelpOptions = true,
    description =
        "Lists the releases kept on the node (release.keep of them), marking the live one.")
final class ReleasesCommand implements Callable<Integer> {
  @ParentCommand HoistCommand root;

  @Mixin ProjectArg projectArg;

  @Mixin TargetOptions targetOptions;

  @Mixin OutputOptions output;

  @Override
  public Integer call() throws CommandException, InterruptedException {
    Session s = Session.open(projectArg.path, targetOptions, root.ssh).appNodes();
    var stack = s.stack();
    Fleet.Task<ReleaseState> task =
        (node, connection) -> new Rollback(Session.engine(connection)).releases(stack);
    if (output.json) {
      FleetResult<ReleaseState> result = s.run(task, new Fleet.Listener() {}, false);
      root.console.json(s.local() ? PerNode.only(result) : FleetView.json(result, r -> true));
      return PerNode.exitCode(result, r -> true);
    }
    return PerNode.exitCode(
        PerNode.run(s, root.console, task, (node, state) -> show(s, node, state)), r -> true);
  }

  private void show(Session s, String node, ReleaseState state) {
    String indent = s.local() ? "" : "  ";
    if (!s.local()) {
      root.console.line(root.console.bold(node) + ":");
    }
    if (state.releases().isEmpty()) {
      root.console.line(
          indent + "no releases of " + s.spec().app() + " yet; 'hoist deploy' makes the first");
      return;
    }
    for (ReleaseState.Release r : state.releases()) {
      boolean live = state.current().map(r.id()::equals).orElse(false);
      String mark = live ? root.console.green("* ") : "  ";
      String note =
          live
              ? root.console.green("live")
              : r.failed()
                  ? root.console.red("failed")
                  : r.incomplete() ? root.console.yellow("incomplete") : "";
      root.console.line(indent + mark + r.id() + "  " + r.created() + "  " + note);
    }
  }
}
