package dev.hoist.cli;

import dev.hoist.server.ServerConfig;
import dev.hoist.server.ServerMain;
import dev.hoist.server.history.History;
import dev.hoist.server.tokens.ApiToken;
import dev.hoist.server.tokens.NewToken;
import dev.hoist.server.tokens.Scope;
import dev.hoist.server.tokens.Tokens;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code hoist server token create|list|revoke}: the API's bearer tokens, kept as SHA-256 hashes in
 * the server's history; a new token is printed once. Works while the server runs.
 */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    subcommands = {
      ServerTokenCommand.Create.class,
      ServerTokenCommand.ListTokens.class,
      ServerTokenCommand.Revoke.class
    },
    description = {
      "Makes, lists and revokes the API's bearer tokens. A token is printed once, when it is",
      "made; only its SHA-256 is kept. Scopes: read (projects, deploys, logs) and deploy (also",
      "deploy and roll back). Run it as the user the server runs as (the data dir is theirs)."
    })
final class ServerTokenCommand implements Runnable {
  @ParentCommand ServerCommand server;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** The history of the server.yml named by {@code --config} (here or on {@code hoist server}). */
  History history(Path config) throws CommandException {
    Path file = config != null ? config : server.config;
    if (file == null) {
      throw new CommandException(
          ExitCode.USAGE, "name the server's server.yml: --config /etc/hoist-server/server.yml");
    }
    ServerConfig loaded = ServerCommand.load(file);
    try {
      return History.attach(loaded.data(), Clock.systemUTC());
    } catch (IOException e) {
      throw new CommandException(ExitCode.USAGE, e.getMessage());
    }
  }

  /** {@code --config}, taken by each subcommand (or by {@code hoist server} before it). */
  static final class ConfigOption {
    @Option(
        names = {"-c", "--config"},
        paramLabel = "FILE",
        description = "The server.yml.")
    Path config;
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Makes a token and prints it once (keep it: it cannot be shown again).",
      footer = {
        "",
        "Example:",
        "  hoist server token create ci --scope deploy --config server.yml"
      })
  static final class Create implements Callable<Integer> {
    @ParentCommand ServerTokenCommand token;

    @Parameters(paramLabel = "NAME", description = "Who or what uses it, e.g. ci or alice.")
    String name;

    @Option(
        names = "--scope",
        paramLabel = "read|deploy",
        defaultValue = "read",
        description = "read (the default) or deploy.")
    String scope;

    @Mixin ConfigOption where;

    @Override
    public Integer call() throws CommandException {
      Scope parsed =
          Scope.parse(scope)
              .orElseThrow(
                  () ->
                      new CommandException(
                          ExitCode.USAGE, "--scope is read or deploy, not '" + scope + "'"));
      if (name.equals(ServerMain.LOCAL_TOKEN)) {
        throw new CommandException(
            ExitCode.USAGE,
            "the token name '" + ServerMain.LOCAL_TOKEN + "' is the server's own; pick another");
      }
      NewToken made;
      try {
        made = Tokens.create(name, parsed, Instant.now(), new SecureRandom());
      } catch (IllegalArgumentException e) {
        throw new CommandException(ExitCode.USAGE, e.getMessage());
      }
      try (History history = token.history(where.config)) {
        history.addToken(made.stored());
      } catch (IllegalArgumentException e) {
        throw new CommandException(ExitCode.USAGE, e.getMessage());
      }
      Console console = token.server.root.console;
      console.line(made.secret());
      console.progress(
          "token '"
              + name
              + "' ("
              + parsed.word()
              + ") made; it is shown only now. Send it as 'Authorization: Bearer <token>'.");
      return ExitCode.OK;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the tokens.")
  static final class ListTokens implements Callable<Integer> {
    @ParentCommand ServerTokenCommand token;

    @Mixin ConfigOption where;

    @Override
    public Integer call() throws CommandException {
      List<ApiToken> tokens;
      try (History history = token.history(where.config)) {
        tokens = history.tokens();
      }
      Console console = token.server.root.console;
      if (tokens.isEmpty()) {
        console.progress("no tokens; make one with: hoist server token create NAME --scope read");
      }
      for (ApiToken t : tokens) {
        console.line(String.format("%-24s %-7s made %s", t.name(), t.scope().word(), t.created()));
      }
      return ExitCode.OK;
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = "Deletes a token: requests with it are refused (401) from now on.")
  static final class Revoke implements Callable<Integer> {
    @ParentCommand ServerTokenCommand token;

    @Parameters(paramLabel = "NAME", description = "The token's name (see: token list).")
    String name;

    @Mixin ConfigOption where;

    @Override
    public Integer call() throws CommandException {
      try (History history = token.history(where.config)) {
        if (!history.revokeToken(name)) {
          throw new CommandException(
              ExitCode.USAGE, "no token named '" + name + "' (hoist server token list)");
        }
      }
      token.server.root.console.progress("token '" + name + "' revoked");
      return ExitCode.OK;
    }
  }
}
