package dev.hoist.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code hoist} command and its subcommands. */
@Command(
    name = "hoist",
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

  /** The subcommands, in the order help lists them. */
  static final Map<String, Supplier<Object>> SUBCOMMANDS = new LinkedHashMap<>();

  static {
    SUBCOMMANDS.put("init", InitCommand::new);
    SUBCOMMANDS.put("deploy", DeployCommand::new);
    SUBCOMMANDS.put("plan", PlanCommand::new);
    SUBCOMMANDS.put("releases", ReleasesCommand::new);
    SUBCOMMANDS.put("rollback", RollbackCommand::new);
    SUBCOMMANDS.put("activate", ActivateCommand::new);
    SUBCOMMANDS.put("unlock", UnlockCommand::new);
    SUBCOMMANDS.put("status", StatusCommand::new);
    SUBCOMMANDS.put("logs", LogsCommand::new);
    SUBCOMMANDS.put("run", RunCommand::new);
    SUBCOMMANDS.put("check", CheckCommand::new);
    SUBCOMMANDS.put("exec", ExecCommand::new);
    SUBCOMMANDS.put("secrets", SecretsCommand::new);
    SUBCOMMANDS.put("backup", BackupCommand::new);
    SUBCOMMANDS.put("backups", BackupsCommand::new);
    SUBCOMMANDS.put("restore", RestoreCommand::new);
    SUBCOMMANDS.put("migrate", MigrateCommand::new);
    SUBCOMMANDS.put("services", ServicesCommand::new);
    SUBCOMMANDS.put("tls", TlsCommand::new);
    SUBCOMMANDS.put("node", NodeCommand::new);
    SUBCOMMANDS.put("lab", LabCommand::new);
    SUBCOMMANDS.put("server", ServerCommand::new);
    SUBCOMMANDS.put("completion", CompletionCommand::new);
    SUBCOMMANDS.put("warmup", WarmupCommand::new);
  }

  /**
   * The command line for {@code args}: with only the subcommand they name, since picocli reads
   * every registered command's annotations up front (about 100 ms for all of them, on every run);
   * with all of them when none is named, for help and for "did you mean" on a typo.
   */
  CommandLine commandLine(List<String> args) {
    CommandLine cli = new CommandLine(this);
    String named = args.stream().filter(a -> !a.startsWith("-")).findFirst().orElse("");
    if (SUBCOMMANDS.containsKey(named)) {
      cli.addSubcommand(named, SUBCOMMANDS.get(named).get());
    } else {
      SUBCOMMANDS.forEach(
          (name, command) -> {
            if (!name.equals("warmup")) {
              cli.addSubcommand(name, command.get());
            }
          });
    }
    // The descriptions are written as lines of up to 100 characters; at picocli's default 80 each
    // would wrap in the middle.
    cli.setUsageHelpWidth(100);
    return cli;
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
