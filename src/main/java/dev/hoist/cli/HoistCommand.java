package dev.hoist.cli;

import java.util.List;
import picocli.CommandLine.Command;

/** The {@code hoist} command and its subcommands. */
@Command(
    name = "hoist",
    subcommands = {
      InitCommand.class,
      DeployCommand.class,
      PlanCommand.class,
      ReleasesCommand.class,
      RollbackCommand.class,
      StatusCommand.class,
      LogsCommand.class,
      RunCommand.class,
      CheckCommand.class,
      ExecCommand.class,
      NodeCommand.class,
      LabCommand.class,
      WarmupCommand.class
    },
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Deploys Python WSGI apps (plain WSGI, Flask, Django) onto Linux servers you own:",
      "nginx + gunicorn under runit/systemd, side-by-side releases, graceful switches, automatic rollback.",
      "",
      "Every command works on the project in the current directory or the one named first,",
      "e.g. 'hoist deploy examples/hello'. With no --env, the target is this machine."
    },
    footer = {
      "",
      "Start here:  hoist init mysite --template flask && hoist deploy mysite",
      "Exit codes:  0 ok, 1 deploy failed (rolled back), 2 bad input, 3 node unreachable, 130 interrupted."
    })
public final class HoistCommand implements Runnable {
  final Console console;
  final List<String> userCommand;
  final SshAccess ssh = new SshAccess();

  HoistCommand(Console console, List<String> userCommand) {
    this.console = console;
    this.userCommand = userCommand;
  }

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }
}
