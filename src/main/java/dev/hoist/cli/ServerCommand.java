package dev.hoist.cli;

import dev.hoist.project.SpecException;
import dev.hoist.server.ServerConfig;
import dev.hoist.server.ServerConfigLoader;
import dev.hoist.server.ServerMain;
import dev.hoist.server.build.BuildLeftovers;
import dev.hoist.server.build.PushPipeline;
import dev.hoist.server.build.RunPipeline;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code hoist server}: runs the push-to-deploy service of a server.yml until stopped (SIGTERM or
 * Ctrl-C stop it cleanly). Reached only by this command, so other commands never load it.
 */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    subcommands = {
      ServerTokenCommand.class,
      ServerInstallCommand.class,
      ServerGitHookCommand.class
    },
    description = {
      "Runs the push-to-deploy service: webhooks at POST /hooks/<project>, a JSON API with",
      "bearer tokens, a live log, a dashboard at / and /metrics; each accepted push is fetched,",
      "built and deployed like 'hoist deploy'. It runs until stopped (SIGTERM, Ctrl-C); a deploy",
      "cut by a stop is recorded interrupted. Its history and tokens live in server.yml's data:."
    },
    footer = {
      "",
      "Examples:",
      "  hoist server --config /etc/hoist-server/server.yml",
      "  hoist server token create ci --scope deploy --config /etc/hoist-server/server.yml",
      "  sudo hoist server install --config /etc/hoist-server/server.yml",
      "",
      "See docs/server.md."
    })
final class ServerCommand implements Callable<Integer> {
  @ParentCommand HoistCommand root;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "The server's server.yml.")
  Path config;

  @Override
  public Integer call() throws CommandException, InterruptedException {
    if (config == null) {
      throw new CommandException(
          ExitCode.USAGE,
          "hoist server needs --config FILE: a server.yml (see docs/server.md for one to start)");
    }
    ServerConfig server = load(config);
    ServerMain running;
    try {
      // No process a build of an earlier server left may hold the port when this one binds it.
      BuildLeftovers.killForServer(
          line -> root.console.progress(java.time.Instant.now() + " " + line));
      running =
          ServerMain.start(
              server,
              new RunPipeline(new PushPipeline(server.data(), server)),
              line -> root.console.progress(java.time.Instant.now() + " " + line));
    } catch (IOException e) {
      throw new CommandException(ExitCode.USAGE, e.getMessage());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  running.close();
                  stopped.countDown();
                },
                "hoist-server-stop"));
    stopped.await();
    return ExitCode.OK;
  }

  /** Reads server.yml, with its problems as the user's to fix. */
  static ServerConfig load(Path file) throws CommandException {
    try {
      return ServerConfigLoader.load(file);
    } catch (SpecException e) {
      throw new CommandException(ExitCode.USAGE, e.getMessage());
    } catch (IOException e) {
      throw new CommandException(ExitCode.USAGE, "cannot read " + file + ": " + e.getMessage());
    }
  }
}
