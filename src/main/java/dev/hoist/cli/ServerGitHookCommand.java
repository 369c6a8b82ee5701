package dev.hoist.cli;

import dev.hoist.project.SpecException;
import dev.hoist.server.ServerConfig;
import dev.hoist.server.ServerConfigLoader;
import dev.hoist.server.gitpush.GitHook;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hoist server git-hook}: the forced command of the hoist user's authorized_keys that turns
 * {@code git push hoist@SERVER:PROJECT BRANCH} into a deploy. Standard output belongs to git.
 */
@Command(
    name = "git-hook",
    mixinStandardHelpOptions = true,
    description = {
      "Receives 'git push hoist@SERVER:PROJECT BRANCH' and deploys it; not run by hand.",
      "It is the forced command of each pusher's key in the hoist user's authorized_keys:",
      "  restrict,command=\"hoist server git-hook --config /etc/hoist-server/server.yml\" ssh-ed25519"
          + " AAAA... alice",
      "It reads what ssh was asked to run from SSH_ORIGINAL_COMMAND and takes only",
      "git-receive-pack 'PROJECT' for a project whose repo: is its push repository",
      "(<data>/git/PROJECT.git); then the running server deploys the pushed branch and its log",
      "is printed to the pusher. Exit: 0 deployed or nothing to deploy, 1 failed, 2 refused."
    })
final class ServerGitHookCommand implements Callable<Integer> {
  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      required = true,
      description = "The server's server.yml.")
  Path config;

  @Override
  public Integer call() throws CommandException, InterruptedException {
    // Receiving untrusted objects and running git is for the hoist user, never root.
    if ("root".equals(System.getProperty("user.name"))) {
      throw new CommandException(
          ExitCode.USAGE,
          "git-hook runs as the hoist user, not root: put the key in ~hoist/.ssh/authorized_keys");
    }
    ServerConfig server;
    try {
      server = ServerConfigLoader.load(config);
    } catch (SpecException e) {
      throw new CommandException(ExitCode.USAGE, e.getMessage());
    } catch (IOException e) {
      throw new CommandException(ExitCode.USAGE, "cannot read " + config + ": " + e.getMessage());
    }
    try (HttpClient http = GitHook.client()) {
      return new GitHook(server, http, System.err).run(System.getenv("SSH_ORIGINAL_COMMAND"));
    }
  }
}
