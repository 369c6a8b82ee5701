package dev.hoist.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.engine.NodeClaim;
import dev.hoist.services.DataRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hoist services purge SERVICE...}: deletes the data a service left on its data node. */
@Command(
    name = "purge",
    mixinStandardHelpOptions = true,
    description = {
      "Deletes what a service removed from services: left on the app's data node (the",
      "environment's db node, else its web node; this machine without --env/--node):",
      "  postgres  the app's database <app_id>, the databases 'hoist restore' kept",
      "            (<app_id>_old_<time>) and any scratch ones, then its role",
      "  redis     the app's Redis data dir /var/lib/hoist/redis/<app> (and the ones restores",
      "            kept), its redis.conf and ACL file",
      "  files     the uploads dir /srv/<app>/shared/uploads (and the ones restores kept)",
      "and the purged services' passwords. Backups (.hoistbak bundles) are never touched.",
      "",
      "Refused, with nothing deleted, while hoist.yml's services: still has the service, or while",
      "the node still serves it to the app (deploy first). Without --yes it only prints what",
      "would be deleted (names and sizes, Redis's key count). With --yes it takes the app's node",
      "lock (no deploy meanwhile) and deletes. The app keeps serving throughout."
    },
    footer = {
      "",
      "Examples:",
      "  hoist services purge redis --env live           what would go, then rerun with --yes",
      "  hoist services purge postgres redis files --env live --yes",
      "  hoist services purge mysite files --yes         (the project named first)",
      "",
      "Exit code: 0 deleted, or nothing to purge; 2 nothing was deleted: no --yes (the list is",
      "printed), or refused (the message says why); 1 deleting failed on the node; 3 the node",
      "could not be reached."
    })
final class ServicesPurgeCommand implements Callable<Integer> {
  @ParentCommand ServicesCommand parent;

  @Parameters(
      paramLabel = "SERVICE",
      arity = "0..*",
      description = "postgres, redis or files (one or more); the project directory may come first.")
  List<String> words = new ArrayList<>();

  @Mixin TargetOptions targetOptions;

  @Option(names = "--yes", description = "Delete. Without it, only say what would be deleted.")
  boolean yes;

  @Mixin OutputOptions output;

  @Override
  public Integer call() throws CommandException, InterruptedException {
    SecretsCommand.ProjectWords pw = SecretsCommand.ProjectWords.split(words, false);
    PurgeRequest request = PurgeRequest.of(pw.words());
    Session s = Session.open(pw.project(), targetOptions, parent.root.ssh);
    String app = s.spec().app();
    request.refuseServed(s.spec().services(), s.spec().shared(), s.spec().file().toString());
    String node = s.dataNode().name();
    DataRunner.Reply reply =
        BackupsCommand.onDataNode(
            s, runner -> runner.purge(app, request.services(), yes, NodeClaim.whoAmI()));
    JsonNode result = reply.result();
    if (reply.exitCode() != 0) {
      throw new CommandException(
          reply.exitCode() == 2 ? ExitCode.USAGE : ExitCode.FAILED,
          node + ": " + result.path("error").asText("the data runner failed"));
    }
    boolean anything = PurgeView.anything(result);
    int exit = anything && !yes ? ExitCode.USAGE : ExitCode.OK;
    if (output.json) {
      parent.root.console.json(result);
      return exit;
    }
    PurgeView view = new PurgeView(parent.root.console);
    if (!anything) {
      view.nothing(app, node, request.services());
    } else if (yes) {
      view.deleted(app, node, result);
    } else {
      view.preview(app, node, result, again(pw.project(), request));
    }
    return exit;
  }

  /** The command line that deletes what the preview showed. */
  private String again(String project, PurgeRequest request) {
    List<String> argv = new ArrayList<>(List.of("hoist", "services", "purge"));
    if (!project.equals(".")) {
      argv.add(project);
    }
    argv.addAll(request.services());
    if (targetOptions.env != null) {
      argv.addAll(List.of("--env", targetOptions.env));
    }
    if (!targetOptions.nodes.isEmpty()) {
      argv.addAll(List.of("--node", String.join(",", targetOptions.nodes)));
    }
    argv.add("--yes");
    return String.join(" ", argv);
  }
}
