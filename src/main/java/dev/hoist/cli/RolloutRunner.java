package dev.hoist.cli;

import dev.hoist.rollout.Connections;
import dev.hoist.rollout.NodeResult;
import dev.hoist.rollout.RolloutException;
import dev.hoist.rollout.RolloutJob;
import dev.hoist.rollout.RolloutListener;
import dev.hoist.rollout.RolloutReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs a rollout behind an environment's balancer for a command: opens the connections, prints
 * progress lines, lets Ctrl-C finish the batch in progress, and renders the report (or --json).
 */
final class RolloutRunner {
  /** One node in --json output. */
  record NodeJson(
      String node,
      String state,
      Optional<String> live,
      Optional<String> error,
      double outOfBalancer) {}

  /** The whole --json output. */
  record RolloutJson(
      boolean ok,
      String outcome,
      String message,
      Optional<String> release,
      double seconds,
      List<NodeJson> nodes) {}

  private final Console console;
  private final boolean json;
  private final boolean progress;

  /** {@code progress}: the progress lines even with {@code json} (hoist deploy --progress). */
  RolloutRunner(Console console, boolean json, boolean progress) {
    this.console = console;
    this.json = json;
    this.progress = progress;
  }

  int run(Session s, RolloutJob work) throws CommandException, InterruptedException {
    long start = System.nanoTime();
    RolloutListener listener = json && !progress ? RolloutListener.none() : printer(start);
    CountDownLatch done = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              work.stop();
              console.warn(
                  "interrupted: finishing the batch in progress and putting it back in the balancer ...");
              try {
                // Bounded so a hung node cannot hold the terminal forever; a batch takes far less.
                done.await(10, TimeUnit.MINUTES);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    Runtime.getRuntime().addShutdownHook(hook);
    RolloutReport report;
    try (Connections connections = Connections.open(work.nodes(), s.connector())) {
      report = work.run(connections, listener);
      render(report);
    } catch (RolloutException e) {
      throw new CommandException(
          switch (e.kind()) {
            case UNREACHABLE -> ExitCode.NODE;
            case USAGE -> ExitCode.USAGE;
            case LOCKED, FAILED -> ExitCode.FAILED;
          },
          e.getMessage());
    } finally {
      done.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // Shutting down already: the hook runs and returns at once.
      }
    }
    return switch (report.outcome()) {
      case DONE, PAUSED -> ExitCode.OK;
      case FAILED -> ExitCode.FAILED;
      case INTERRUPTED -> ExitCode.INTERRUPTED;
    };
  }

  private RolloutListener printer(long start) {
    return new RolloutListener() {
      @Override
      public void note(String text) {
        console.progress(stamp(start) + text);
      }

      @Override
      public void node(String node, String text) {
        console.progress(stamp(start) + node + ": " + text);
      }

      @Override
      public void batch(int number, int of, List<String> nodes) {
        console.progress(
            stamp(start)
                + console.bold("batch " + number + "/" + of + ": " + String.join(", ", nodes)));
      }
    };
  }

  private String stamp(long start) {
    return console.dim(String.format(Locale.ROOT, "%6.2fs ", (System.nanoTime() - start) / 1e9));
  }

  private void render(RolloutReport r) {
    if (json) {
      List<NodeJson> nodes =
          r.nodes().stream()
              .map(
                  n ->
                      new NodeJson(
                          n.node(),
                          n.state().label(),
                          n.live(),
                          n.error(),
                          n.outOfBalancer().toMillis() / 1000.0))
              .toList();
      console.json(
          new RolloutJson(
              r.ok(),
              r.outcome().name().toLowerCase(Locale.ROOT),
              r.message(),
              r.release(),
              r.elapsed().toMillis() / 1000.0,
              nodes));
      return;
    }
    List<List<String>> rows = new ArrayList<>();
    rows.add(List.of("NODE", "RESULT", "SERVES", "OUT OF LB"));
    for (NodeResult n : r.nodes()) {
      rows.add(
          List.of(
              n.node(),
              n.state().label(),
              n.live().orElse("-"),
              n.outOfBalancer().isZero()
                  ? "-"
                  : String.format(Locale.ROOT, "%.1fs", n.outOfBalancer().toMillis() / 1000.0)));
    }
    new FleetView(console).table(rows, Set.of("switched", "unchanged"));
    String time = String.format(Locale.ROOT, " (%.1fs)", r.elapsed().toMillis() / 1000.0);
    switch (r.outcome()) {
      case DONE -> console.line(console.green(r.message() + time));
      case PAUSED -> console.line(console.yellow(r.message()));
      case FAILED, INTERRUPTED -> console.line(console.red(r.message() + time));
    }
  }
}
