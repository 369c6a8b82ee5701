package dev.hoist.cli;

import dev.hoist.node.ExecRequest;
import dev.hoist.ops.AppCommand;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code hoist logs [-f]}: the app's output (gunicorn, processes) and its nginx logs. */
@Command(name = "logs", mixinStandardHelpOptions = true,
    description = "Shows the app's logs: gunicorn's and each process's output, and nginx's access and error logs.")
final class LogsCommand implements Callable<Integer> {
  @ParentCommand HoistCommand root;

  @Mixin ProjectArg projectArg;

  @Option(names = {"-f", "--follow"}, description = "Keep printing new lines until Ctrl-C.")
  boolean follow;

  @Option(names = {"-n", "--lines"}, defaultValue = "30", description = "Lines of each log to show (default: ${DEFAULT-VALUE}).")
  int lines;

  @Override
  public Integer call() throws CommandException, InterruptedException {
    Session s = Session.open(projectArg.path);
    var layout = s.stack().layout();
    List<String> processLogs = new ArrayList<>();
    s.spec().processes().keySet().forEach(p -> processLogs.add(layout.processLogDir(p) + "/current"));
    List<String> argv = AppCommand.logs(layout, lines, follow, processLogs);
    try {
      var result = s.node().exec(new ExecRequest(argv, null,
          follow ? Duration.ofDays(365) : Duration.ofSeconds(30), root.console::line));
      return result.ok() || follow ? ExitCode.OK : ExitCode.FAILED;
    } catch (IOException e) {
      throw new CommandException(ExitCode.NODE, e.getMessage());
    }
  }
}
