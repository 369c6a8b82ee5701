package dev.hoist.cli;

import dev.hoist.fleet.FleetNode;
import dev.hoist.rollout.Connections;
import dev.hoist.rollout.EnvLock;
import dev.hoist.rollout.RolloutException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code hoist unlock --env ENV}: break an environment's deploy lock left by a killed deploy. */
@Command(
    name = "unlock",
    mixinStandardHelpOptions = true,
    description = {
      "Breaks an environment's deploy lock, left behind by a deploy that was killed.",
      "A deploy takes the lock on the environment's load balancer (or first node) and gives it",
      "back when it ends; one that was killed (kill -9, a lost laptop) leaves it, and every later",
      "deploy is refused with its holder.",
      "",
      "Break it only when that deploy is surely gone: two deploys at once could switch the same",
      "nodes in different directions. Asks before breaking unless --yes is given."
    })
final class UnlockCommand implements Callable<Integer> {
  @ParentCommand HoistCommand root;

  @Mixin ProjectArg projectArg;

  @Option(
      names = {"-e", "--env"},
      paramLabel = "ENV",
      required = true,
      description = "The environment to unlock.")
  String env;

  @Option(
      names = {"-y", "--yes"},
      description = "Break the lock without asking.")
  boolean yes;

  @Override
  public Integer call() throws CommandException, InterruptedException {
    TargetOptions options = new TargetOptions();
    options.env = env;
    options.parallel = 1;
    Session s = Session.open(projectArg.path, options, root.ssh);
    FleetNode node =
        s.balancer()
            .or(() -> s.targets().stream().findFirst())
            .orElseThrow(
                () -> new CommandException(ExitCode.USAGE, "environment " + env + " has no nodes"));
    try (Connections connection = Connections.open(List.of(node), s.connector())) {
      EnvLock lock = new EnvLock(connection.engine(node.name()), s.spec().app(), env);
      Optional<EnvLock.Holder> holder = lock.holder();
      if (holder.isEmpty()) {
        root.console.line(env + " is not locked (on " + node.name() + ")");
        return ExitCode.OK;
      }
      EnvLock.Holder h = holder.get();
      root.console.warn(
          "the deploy lock of "
              + env
              + " is held by "
              + h.by()
              + " since "
              + h.since()
              + " ("
              + h.command()
              + ").");
      root.console.warn(
          "Break it only if that deploy is no longer running: two deploys at once can leave nodes"
              + " switched in different directions.");
      if (!yes && !confirmed()) {
        root.console.line("left locked");
        return ExitCode.FAILED;
      }
      lock.breakLock();
      root.console.line("unlocked " + env + " (the lock of " + h.by() + " is gone)");
      return ExitCode.OK;
    } catch (RolloutException e) {
      throw new CommandException(
          e.kind() == RolloutException.Kind.UNREACHABLE ? ExitCode.NODE : ExitCode.FAILED,
          e.getMessage());
    }
  }

  private boolean confirmed() throws CommandException {
    if (Console.terminal() == null) {
      throw new CommandException(
          ExitCode.USAGE, "not breaking the lock without a terminal to ask on; add --yes");
    }
    root.console.progress("Break the lock? [y/N] ");
    try {
      String answer =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      return answer != null && answer.strip().toLowerCase(java.util.Locale.ROOT).startsWith("y");
    } catch (IOException e) {
      return false;
    }
  }
}
