package dev.hoist.cli;

import dev.hoist.fleet.Fleet;
import dev.hoist.fleet.FleetResult;
import dev.hoist.secrets.NodeSecrets;
import dev.hoist.secrets.SecretChange;
import dev.hoist.secrets.SecretInput;
import dev.hoist.secrets.SecretName;
import dev.hoist.secrets.SecretValues;
import dev.hoist.secrets.Secrets;
import dev.hoist.secrets.SecretsException;
import dev.hoist.secrets.SecretsUpdated;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hoist secrets set|unset|list}: the app's secrets, stored on its nodes, never printed. */
@Command(
    name = "secrets",
    mixinStandardHelpOptions = true,
    subcommands = {
      SecretsCommand.SetCommand.class,
      SecretsCommand.UnsetCommand.class,
      SecretsCommand.ListCommand.class
    },
    description = {
      "Keeps the app's secrets (passwords, API keys, DATABASE_URL) on its nodes, never in the",
      "project: in /srv/<app>/etc/secrets, owned by root, readable by the app, not writable by it.",
      "They reach the app as environment variables (a secret wins over the same key in env:), and",
      "a change reloads gunicorn gracefully and restarts the processes. Values are never printed,",
      "and never need to be on a command line: read them from stdin, a file or a .env file."
    },
    footer = {
      "",
      "Examples:",
      "  hoist secrets set SECRET_KEY=-                 # type or pipe the value on stdin",
      "  hoist secrets set TLS_KEY=@certs/site.key --env live",
      "  hoist secrets set --from-file .env.production --env live",
      "  hoist secrets unset OLD_TOKEN --env live",
      "  hoist secrets list --env live",
      "",
      "See docs/secrets.md."
    })
final class SecretsCommand implements Runnable {
  @ParentCommand HoistCommand root;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "set",
      mixinStandardHelpOptions = true,
      description = {
        "Sets secrets on every node of the target (no --env: this machine) and reloads the app.",
        "KEY=VALUE takes the value as written (it then sits in your shell history: prefer the",
        "others), KEY=- reads it from stdin, KEY=@FILE from a file (one trailing line break",
        "dropped). --from-file reads a .env file: KEY=VALUE lines, 'export ' allowed, single or",
        "double quotes, # comments; KEY=... arguments override it. KEY is an environment variable",
        "name; HOIST_* and the variables hoist sets itself are refused."
      },
      footer = {
        "",
        "Examples:",
        "  hoist secrets set SECRET_KEY=-                  (then type the value, Ctrl-D)",
        "  pass show mysite/db | hoist secrets set DATABASE_URL=- --env live",
        "  hoist secrets set TLS_KEY=@certs/site.key MODE=strict --env live",
        "  hoist secrets set --from-file .env.production --env live --node web1",
        "  hoist secrets set mysite API_TOKEN=@token.txt   (the project named first)",
        "",
        "Exit code: 0 when every node has the secrets and reloaded, 1 when a node refused,",
        "3 when a node could not be reached (the others still get them; the summary names it)."
      })
  static final class SetCommand implements Callable<Integer> {
    @ParentCommand SecretsCommand parent;

    @Parameters(
        paramLabel = "KEY=VALUE",
        arity = "0..*",
        description =
            "KEY=VALUE, KEY=- (stdin) or KEY=@FILE; the project directory may come first.")
    List<String> words = new ArrayList<>();

    @Option(
        names = "--from-file",
        paramLabel = "DOTENV",
        description = "Read KEY=VALUE lines from this .env file.")
    Path fromFile;

    @Mixin TargetOptions targetOptions;

    @Option(names = "--json", description = "Print each node's outcome as JSON (never values).")
    boolean json;

    @Override
    public Integer call() throws CommandException, InterruptedException {
      ProjectWords pw = ProjectWords.split(words, true);
      if (pw.words().isEmpty() && fromFile == null) {
        throw new CommandException(
            ExitCode.USAGE, "nothing to set; give KEY=VALUE, KEY=-, KEY=@FILE or --from-file");
      }
      Map<String, String> values;
      try {
        values =
            SecretInput.read(
                pw.words(), Optional.ofNullable(fromFile), System.in, Path.of("").toAbsolutePath());
      } catch (SecretsException e) {
        throw new CommandException(ExitCode.USAGE, e.getMessage());
      }
      if (values.isEmpty()) {
        throw new CommandException(ExitCode.USAGE, fromFile + " holds no KEY=VALUE line");
      }
      return parent.change(pw.project(), targetOptions, json, SecretChange.set(values));
    }
  }

  @Command(
      name = "unset",
      mixinStandardHelpOptions = true,
      description = {
        "Removes secrets from every node of the target (no --env: this machine) and reloads the",
        "app, whose new workers no longer see them."
      },
      footer = {
        "",
        "Examples:",
        "  hoist secrets unset OLD_TOKEN",
        "  hoist secrets unset OLD_TOKEN LEGACY_KEY --env live"
      })
  static final class UnsetCommand implements Callable<Integer> {
    @ParentCommand SecretsCommand parent;

    @Parameters(
        paramLabel = "KEY",
        arity = "0..*",
        description = "The names to remove; the project directory may come first.")
    List<String> words = new ArrayList<>();

    @Mixin TargetOptions targetOptions;

    @Option(names = "--json", description = "Print each node's outcome as JSON.")
    boolean json;

    @Override
    public Integer call() throws CommandException, InterruptedException {
      ProjectWords pw = ProjectWords.split(words, false);
      if (pw.words().isEmpty()) {
        throw new CommandException(ExitCode.USAGE, "nothing to unset; name the KEYs to remove");
      }
      for (String key : pw.words()) {
        try {
          SecretName.check(key);
        } catch (SecretsException e) {
          throw new CommandException(ExitCode.USAGE, e.getMessage());
        }
      }
      return parent.change(pw.project(), targetOptions, json, SecretChange.unset(pw.words()));
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = {
        "Lists the names of the app's secrets, when and by whom each was set, and on which nodes.",
        "Never the values: --show prints them, only to a terminal and after you confirm."
      },
      footer = {
        "",
        "Examples:",
        "  hoist secrets list",
        "  hoist secrets list --env live --json",
        "  hoist secrets list --env live --node web1 --show"
      })
  static final class ListCommand implements Callable<Integer> {
    @ParentCommand SecretsCommand parent;

    @Mixin ProjectArg projectArg;

    @Mixin TargetOptions targetOptions;

    @Option(names = "--json", description = "Print the names per node as JSON (never values).")
    boolean json;

    @Option(
        names = "--show",
        description = "Also print the values: only to a terminal, after a confirmation.")
    boolean show;

    @Override
    public Integer call() throws CommandException, InterruptedException {
      Console console = parent.root.console;
      if (show && json) {
        throw new CommandException(
            ExitCode.USAGE, "--show and --json do not go together: --json never holds values");
      }
      if (show && !Console.isTerminal()) {
        throw new CommandException(
            ExitCode.USAGE, "--show prints values only to a terminal, not to a pipe or a file");
      }
      Session s = Session.open(projectArg.path, targetOptions, parent.root.ssh).appNodes();
      Secrets secrets = new Secrets(s.spec(), s.templates());
      if (show) {
        return reveal(s, secrets, console);
      }
      Fleet.Task<NodeSecrets> task = (node, c) -> secrets.list(Session.engine(c));
      FleetResult<NodeSecrets> result = s.run(task, new Fleet.Listener() {}, false);
      if (json) {
        console.json(FleetView.json(result, r -> true));
      } else {
        new SecretsView(console).list(s.spec().app(), result, s.local());
      }
      return PerNode.exitCode(result, r -> true);
    }

    private int reveal(Session s, Secrets secrets, Console console)
        throws CommandException, InterruptedException {
      String where = s.local() ? "this machine" : s.targets().size() + " node(s)";
      String answer =
          System.console()
              .readLine(
                  "Print the values of app %s's secrets on %s to this terminal? [y/N] ",
                  s.spec().app(), where);
      if (answer == null || !answer.strip().equalsIgnoreCase("y")) {
        throw new CommandException(ExitCode.FAILED, "not confirmed; nothing printed");
      }
      Fleet.Task<SecretValues> task = (node, c) -> secrets.reveal(Session.engine(c));
      FleetResult<SecretValues> result = s.run(task, new Fleet.Listener() {}, false);
      new SecretsView(console).values(result, s.local());
      return PerNode.exitCode(result, r -> true);
    }
  }

  /** Runs {@code change} on the session's nodes and reports each node's outcome. */
  int change(String project, TargetOptions targets, boolean json, SecretChange change)
      throws CommandException, InterruptedException {
    Session s = Session.open(project, targets, root.ssh).appNodes();
    for (String key : change.sets().keySet()) {
      if (s.spec().env().containsKey(key)) {
        root.console.warn(key + " is also in env: in hoist.yml; the secret wins");
      }
    }
    Secrets secrets = new Secrets(s.spec(), s.templates());
    String by = SecretsView.whoAmI();
    Instant at = Instant.now();
    Fleet.Task<SecretsUpdated> task =
        (node, c) -> secrets.update(Session.engine(c), change, by, at);
    FleetResult<SecretsUpdated> result = s.run(task, new Fleet.Listener() {}, false);
    if (json) {
      root.console.json(FleetView.json(result, r -> true));
    } else {
      new SecretsView(root.console).updated(result, s.local());
    }
    return PerNode.exitCode(result, r -> true);
  }

  /** The project named before the keys (a path), and the keys or KEY=VALUE words after it. */
  record ProjectWords(String project, List<String> words) {
    /**
     * The first word is the project when it reads as a path: it contains '/', is '.' or '..', or is
     * a directory holding a hoist.yml (a key can be none of these; a KEY=VALUE word never is).
     */
    static ProjectWords split(List<String> words, boolean pairs) {
      if (words.isEmpty()) {
        return new ProjectWords(".", List.of());
      }
      String first = words.getFirst();
      boolean path =
          !(pairs && first.contains("="))
              && (first.contains("/")
                  || first.equals(".")
                  || first.equals("..")
                  || Files.isRegularFile(Path.of(first).resolve("hoist.yml")));
      return path
          ? new ProjectWords(first, List.copyOf(words.subList(1, words.size())))
          : new ProjectWords(".", List.copyOf(words));
    }
  }
}
