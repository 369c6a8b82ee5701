package dev.hoist.cli;

import dev.hoist.release.DeployException;
import dev.hoist.release.DeployListener;
import dev.hoist.release.DeployReport;
import dev.hoist.release.Rollback;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hoist rollback [PROJECT] [RELEASE]}: switch back, gracefully and health-checked. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
    description = {
      "Switches the app back to an earlier release (default: the one before the live one),",
      "reloads gunicorn gracefully and health-checks it; if that release is sick too, the",
      "release that was live stays live."
    })
final class RollbackCommand implements Callable<Integer> {
  @ParentCommand HoistCommand root;

  @Parameters(arity = "0..2", paramLabel = "[PROJECT] [RELEASE]",
      description = "Project directory (default: current directory) and the release id to go to.")
  List<String> args = List.of();

  @Option(names = "--json", description = "Print the result as JSON on stdout.")
  boolean json;

  @Override
  public Integer call() throws CommandException, InterruptedException {
    String project = ".";
    Optional<String> release = Optional.empty();
    if (args.size() == 2) {
      project = args.get(0);
      release = Optional.of(args.get(1));
    } else if (args.size() == 1) {
      // One word: a project if it holds a hoist.yml, else a release id.
      Path p = Path.of(args.get(0));
      if (Files.isDirectory(p) || p.getFileName().toString().endsWith(".yml")) {
        project = args.get(0);
      } else {
        release = Optional.of(args.get(0));
      }
    }
    Session s = Session.open(project);
    DeployReport report;
    try {
      report = new Rollback(s.engine()).rollback(s.stack(), release,
          json ? DeployListener.none() : new ProgressPrinter(root.console, false));
    } catch (DeployException e) {
      throw new CommandException(ExitCode.FAILED, e.getMessage());
    }
    if (json) {
      root.console.json(report);
    } else if (report.ok()) {
      root.console.line(report.node() + ": rolled back to " + root.console.bold(report.live().orElse("?"))
          + " (was " + report.liveBefore().orElse("?") + "), healthy");
    } else {
      root.console.error(report.error().orElse("rollback failed").strip());
      root.console.line("release " + report.live().orElse("?") + " is live");
    }
    return report.ok() ? ExitCode.OK : ExitCode.FAILED;
  }
}
