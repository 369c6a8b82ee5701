package dev.hoist.cli;

import dev.hoist.fleet.Fleet;
import dev.hoist.fleet.FleetResult;
import dev.hoist.fleet.NodeOutcome;
import java.util.function.BiConsumer;

/**
 * Runs a read-only command's task on the session's nodes and hands each answer to a renderer in
 * node order; on this machine a failure is the command's error, as in a single-node setup.
 */
final class PerNode {
  private PerNode() {}

  /** Runs {@code task}; returns whether every node answered. */
  static <T> FleetResult<T> run(
      Session s, Console console, Fleet.Task<T> task, BiConsumer<String, T> render)
      throws CommandException, InterruptedException {
    FleetResult<T> result = s.run(task, new Fleet.Listener() {}, false);
    if (s.local()) {
      only(result);
    }
    for (NodeOutcome<T> o : result.outcomes()) {
      o.result().ifPresent(r -> render.accept(o.node(), r));
      o.failure()
          .ifPresent(
              f ->
                  console.line(
                      console.red(o.node() + ": " + f.kind().label()) + " - " + f.message()));
    }
    return result;
  }

  /** The one result on this machine; its failure is the command's error. */
  static <T> T only(FleetResult<T> result) throws CommandException {
    NodeOutcome<T> only = result.outcomes().getFirst();
    if (only.failure().isPresent()) {
      throw new CommandException(ExitCode.NODE, only.failure().get().message());
    }
    return only.result().orElseThrow();
  }

  /** The exit code for a read whose results are judged by {@code good}. */
  static <T> int exitCode(FleetResult<T> result, java.util.function.Predicate<T> good) {
    if (result.all(good)) {
      return ExitCode.OK;
    }
    return result.onlyConnectionFailures() ? ExitCode.NODE : ExitCode.FAILED;
  }
}
