package dev.hoist.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;

/** Entry point: splits off a user command after {@code --}, then lets picocli dispatch. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, Console.system()));
  }

  /** Runs hoist with {@code args}; returns the exit code. */
  public static int run(String[] args, Console console) {
    dev.hoist.node.Trace.mark("main");
    List<String> all = Arrays.asList(args);
    int dashes = all.indexOf("--");
    List<String> own = dashes < 0 ? all : all.subList(0, dashes);
    List<String> command = dashes < 0 ? List.of() : all.subList(dashes + 1, all.size());
    HoistCommand hoist = new HoistCommand(console, new ArrayList<>(command));
    if (SshAccess.named(own)) {
      hoist.ssh.startAhead();
    }
    CommandLine cli = hoist.commandLine(own);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof CommandException c) {
            console.error(c.getMessage());
            return c.exitCode();
          }
          if (e instanceof InterruptedException) {
            console.error("interrupted");
            return ExitCode.INTERRUPTED;
          }
          throw e;
        });
    cli.setParameterExceptionHandler(
        (e, a) -> {
          console.error(e.getMessage());
          if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, System.err)) {
            e.getCommandLine().usage(System.err);
          }
          return ExitCode.USAGE;
        });
    try {
      return cli.execute(own.toArray(String[]::new));
    } finally {
      hoist.ssh.close();
    }
  }
}
