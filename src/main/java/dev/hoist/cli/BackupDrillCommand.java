package dev.hoist.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code hoist backup drill}: a restore drill of the newest bundle on the data node. */
@Command(
    name = "drill",
    mixinStandardHelpOptions = true,
    description = {
      "Restores the newest backup on the data node into a scratch database (<app_id>_drill),",
      "runs backup.drill_check from hoist.yml against it (a command in the app's environment with",
      "DATABASE_URL pointing at the scratch database, or {sql: QUERY}), records the result (shown",
      "by 'hoist backups' and judged by 'hoist check') and drops the scratch database. Live data",
      "is not touched.",
      "",
      "Exit code: 0 the drill passed, 1 it failed (the message says where), 2 bad input, 3 node",
      "unreachable."
    })
final class BackupDrillCommand implements Callable<Integer> {
  @ParentCommand BackupCommand backup;

  @Mixin ProjectArg projectArg;

  @Mixin TargetOptions targetOptions;

  @Mixin OutputOptions output;

  @Override
  public Integer call() throws CommandException, InterruptedException {
    Console console = backup.root.console;
    Session s = Session.open(projectArg.path, targetOptions, backup.root.ssh);
    if (!output.json) {
      console.line("drill of " + s.spec().app() + " on " + s.dataNode().name() + " ...");
    }
    JsonNode result = BackupsCommand.onDataNode(s, runner -> runner.drill(s.spec().app()));
    boolean ok = result.path("ok").asBoolean(false);
    if (output.json) {
      console.json(result);
    } else if (ok) {
      console.line(
          console.green("drill passed")
              + ": "
              + result.path("bundle").asText()
              + " restored and checked ("
              + result.path("check").asText()
              + ") in "
              + result.path("seconds").asText()
              + " s");
      String out = result.path("output").asText("").strip();
      if (!out.isEmpty()) {
        console.line(console.dim(out));
      }
    } else {
      throw new CommandException(
          ExitCode.FAILED, "drill failed: " + result.path("error").asText("no reason given"));
    }
    return ok ? ExitCode.OK : ExitCode.FAILED;
  }
}
