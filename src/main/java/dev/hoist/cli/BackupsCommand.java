package dev.hoist.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.fleet.FleetNode;
import dev.hoist.node.Node;
import dev.hoist.services.Ages;
import dev.hoist.services.DataRunner;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code hoist backups}: the bundles on the data node, the last scheduled run and drill. */
@Command(
    name = "backups",
    mixinStandardHelpOptions = true,
    description = {
      "Lists the app's backups on its data node, newest first: size, age, whether the bundle was",
      "verified and where it was copied (backup.to in hoist.yml); then the last scheduled run and",
      "the last restore drill. docs/backups.md."
    })
final class BackupsCommand implements Callable<Integer> {
  @ParentCommand HoistCommand root;

  @Mixin ProjectArg projectArg;

  @Mixin TargetOptions targetOptions;

  @Mixin OutputOptions output;

  @Override
  public Integer call() throws CommandException, InterruptedException {
    Session s = Session.open(projectArg.path, targetOptions, root.ssh);
    JsonNode status = status(s);
    if (output.json) {
      root.console.json(status);
      return ExitCode.OK;
    }
    show(root.console, status, Instant.now());
    return ExitCode.OK;
  }

  /** The data runner's status of the app, from its data node. */
  static JsonNode status(Session s) throws CommandException, InterruptedException {
    return onDataNode(s, runner -> runner.status(s.spec().app()));
  }

  /** A call to the data runner on the app's data node. */
  interface RunnerCall<T> {
    T call(DataRunner runner) throws DataRunner.Failed, IOException, InterruptedException;
  }

  /**
   * Connects to the data node, makes {@code call} and closes the connection; the runner's failure
   * is FAILED, an unreachable node NODE.
   */
  static <T> T onDataNode(Session s, RunnerCall<T> call)
      throws CommandException, InterruptedException {
    FleetNode data = s.dataNode();
    Node node = null;
    try {
      node = s.connect(data);
      return call.call(new DataRunner(node));
    } catch (DataRunner.Failed e) {
      throw new CommandException(ExitCode.FAILED, data.name() + ": " + e.getMessage());
    } catch (IOException e) {
      String message = String.valueOf(e.getMessage());
      throw new CommandException(
          ExitCode.NODE,
          message.startsWith(data.name() + ":") ? message : data.name() + ": " + message);
    } finally {
      if (node instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          // Closing a connection after the command ended loses nothing.
        }
      }
    }
  }

  static void show(Console console, JsonNode status, Instant now) {
    JsonNode backups = status.path("backups");
    if (backups.isEmpty()) {
      console.line(
          "no backups of "
              + status.path("app").asText()
              + " in "
              + status.path("dir").asText()
              + (status.path("configured").asBoolean(false)
                  ? "; the schedule ('" + status.path("schedule").asText() + "') has not run yet"
                  : "; 'hoist backup' makes one, 'backup:' in hoist.yml schedules them"));
    }
    for (JsonNode b : backups) {
      String verified =
          b.path("verified").asBoolean(false)
              ? console.green("verified")
              : console.yellow("not verified");
      String copied =
          b.path("copied").isTextual()
              ? "  copied to " + b.path("copied").asText()
              : b.path("copy_error").isTextual()
                  ? "  "
                      + console.yellow(
                          "not copied (given up: " + b.path("copy_error").asText() + ")")
                  : "";
      console.line(
          b.path("name").asText()
              + "  "
              + mb(b.path("size").asLong())
              + "  "
              + age(b.path("created").asText(""), now)
              + " old  "
              + verified
              + copied);
    }
    JsonNode run = status.path("last_scheduled");
    if (run.isObject()) {
      console.line(
          "last scheduled run: "
              + run.path("started").asText()
              + "  "
              + (run.path("ok").asBoolean(false)
                  ? console.green("ok")
                  : console.red("failed") + ": " + run.path("error").asText()));
    }
    JsonNode drill = status.path("last_drill");
    if (drill.isObject()) {
      console.line(
          "last drill: "
              + drill.path("at").asText()
              + "  "
              + drill.path("bundle").asText()
              + "  "
              + (drill.path("ok").asBoolean(false)
                  ? console.green("ok") + " (" + drill.path("check").asText() + ")"
                  : console.red("failed") + ": " + drill.path("error").asText()));
    }
  }

  static String mb(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
  }

  static String age(String created, Instant now) {
    try {
      return Ages.of(Duration.between(Instant.parse(created), now));
    } catch (DateTimeParseException e) {
      return "?";
    }
  }
}
