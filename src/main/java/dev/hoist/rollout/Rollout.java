package dev.hoist.rollout;

import dev.hoist.project.HealthSpec;
import dev.hoist.project.RolloutSpec;
import dev.hoist.release.DeployReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Switches nodes batch by batch behind the balancer: take the batch out (draining in-flight
 * requests), switch each node and check it directly, put it back once HAProxy sees it UP, then the
 * next batch. A failed batch is switched back and put back, and the rollout stops.
 */
public final class Rollout {
  /** What switching one node means (activating a prepared release, going to another release). */
  public interface NodeSwitch {
    /** Switches the node and checks it; a sick node is expected to switch itself back. */
    DeployReport apply(String node) throws Exception;

    /** Puts a node that switched (and was healthy) back on the release it served before. */
    DeployReport revert(String node) throws Exception;
  }

  private final Optional<Balancer> balancer;
  private final RolloutSpec spec;
  private final Duration readyTimeout;
  private final RolloutListener listener;
  private final AtomicBoolean stop;

  /**
   * {@code stop}: set on Ctrl-C (by whoever runs this); the batch in progress finishes, no other
   * starts. A put-back node gets as long as HAProxy needs to see it pass its check as many times as
   * {@code health} asks.
   */
  public Rollout(
      Optional<Balancer> balancer,
      RolloutSpec spec,
      HealthSpec health,
      RolloutListener listener,
      AtomicBoolean stop) {
    this.balancer = balancer;
    this.spec = spec;
    this.readyTimeout = readyTimeout(health);
    this.listener = listener;
    this.stop = stop;
  }

  /**
   * Long enough for HAProxy to see a put-back node pass its check as often as {@code health} asks.
   */
  static Duration readyTimeout(HealthSpec health) {
    return health
        .interval()
        .plus(health.timeout())
        .multipliedBy(health.healthy() + 1)
        .plusSeconds(5);
  }

  /** The result of each node that a batch reached, in order, and how the run ended. */
  public record Run(RolloutReport.Outcome outcome, String message, Map<String, NodeResult> nodes) {}

  public Run run(List<List<String>> batches, NodeSwitch action) throws InterruptedException {
    Map<String, NodeResult> results = new LinkedHashMap<>();
    List<List<String>> done = new ArrayList<>();
    for (int i = 0; i < batches.size(); i++) {
      List<String> batch = batches.get(i);
      if (stop.get()) {
        return new Run(
            RolloutReport.Outcome.INTERRUPTED,
            "interrupted: batch "
                + (i + 1)
                + " of "
                + batches.size()
                + " and later were not started; every node serves a complete release",
            results);
      }
      listener.batch(i + 1, batches.size(), batch);
      Optional<String> failure = runBatch(batch, action, results);
      if (failure.isPresent()) {
        if (spec.onFailure() == RolloutSpec.OnFailure.ROLLBACK_ALL) {
          // This batch's switched nodes too (it can fail after switching: the balancer did not take
          // them back).
          List<String> switchedHere =
              batch.stream()
                  .filter(
                      n ->
                          results.get(n) != null
                              && results.get(n).state() == NodeResult.State.SWITCHED)
                  .toList();
          if (!switchedHere.isEmpty()) {
            revertBatch(switchedHere, action, results);
          }
          for (List<String> earlier : done.reversed()) {
            revertBatch(earlier, action, results);
          }
        }
        return new Run(
            RolloutReport.Outcome.FAILED,
            "batch "
                + (i + 1)
                + " of "
                + batches.size()
                + " failed: "
                + failure.get()
                + (spec.onFailure() == RolloutSpec.OnFailure.ROLLBACK_ALL
                    ? "; on_failure: rollback_all put every switched node back"
                    : "; the rollout stopped there"),
            results);
      }
      done.add(batch);
    }
    return new Run(RolloutReport.Outcome.DONE, "", results);
  }

  /** One batch: out, switch, (switch back on failure), in. Returns the first failure, if any. */
  private Optional<String> runBatch(
      List<String> batch, NodeSwitch action, Map<String, NodeResult> results)
      throws InterruptedException {
    long start = System.nanoTime();
    Optional<String> lbProblem = takeOut(batch);
    if (lbProblem.isPresent()) {
      return lbProblem;
    }
    Map<String, Attempt> attempts = parallel(batch, action::apply);
    List<String> failed = batch.stream().filter(n -> !attempts.get(n).ok()).toList();
    Map<String, Attempt> reverts =
        failed.isEmpty()
            ? Map.of()
            : parallel(batch.stream().filter(n -> !failed.contains(n)).toList(), action::revert);
    Map<String, NodeResult> outcome = new LinkedHashMap<>();
    for (String node : batch) {
      outcome.put(
          node,
          reverts.containsKey(node)
              ? reverted(node, reverts.get(node))
              : switched(node, attempts.get(node)));
    }
    Optional<String> readyProblem = putBack(outcome);
    Duration out = Duration.ofNanos(System.nanoTime() - start);
    outcome.values().forEach(r -> record(results, r.withOut(out)));
    if (!failed.isEmpty()) {
      return Optional.of(
          failed.stream()
              .map(n -> n + ": " + attempts.get(n).error().map(Rollout::firstLine).orElse("failed"))
              .reduce((a, b) -> a + "; " + b)
              .orElseThrow());
    }
    return readyProblem.map(p -> p + " (the batch keeps the new release)");
  }

  /**
   * With rollback_all: an earlier, healthy batch goes back to its old release the same careful way.
   */
  private void revertBatch(List<String> batch, NodeSwitch action, Map<String, NodeResult> results)
      throws InterruptedException {
    listener.note("rolling back " + String.join(", ", batch) + " (on_failure: rollback_all)");
    long start = System.nanoTime();
    Optional<String> lbProblem = takeOut(batch);
    if (lbProblem.isPresent()) {
      batch.forEach(
          n ->
              record(
                  results,
                  new NodeResult(
                      n,
                      NodeResult.State.BROKEN,
                      results.get(n).live(),
                      Optional.of("not rolled back: " + lbProblem.get()),
                      results.get(n).outOfBalancer())));
      return;
    }
    Map<String, NodeResult> outcome = new LinkedHashMap<>();
    parallel(batch, action::revert)
        .forEach((node, back) -> outcome.put(node, reverted(node, back)));
    putBack(outcome);
    Duration out = Duration.ofNanos(System.nanoTime() - start);
    outcome
        .values()
        .forEach(r -> record(results, r.withOut(results.get(r.node()).outOfBalancer().plus(out))));
  }

  /** How a node's switch left it. */
  private static NodeResult switched(String node, Attempt a) {
    Optional<String> live = a.report().flatMap(DeployReport::live);
    if (a.ok()) {
      return new NodeResult(node, NodeResult.State.SWITCHED, live, Optional.empty(), Duration.ZERO);
    }
    // Clean: it switched back itself, or failed before switching a release; a failed reload of
    // services alone (no new release) has nothing to go back to.
    boolean clean =
        a.report()
            .map(
                r ->
                    r.rolledBack()
                        || (r.newRelease().isPresent() && r.live().equals(r.liveBefore())))
            .orElse(false);
    return new NodeResult(
        node,
        clean ? NodeResult.State.FAILED : NodeResult.State.BROKEN,
        live,
        a.error(),
        Duration.ZERO);
  }

  /** How taking a node back to its old release left it. */
  private static NodeResult reverted(String node, Attempt back) {
    return new NodeResult(
        node,
        back.ok() ? NodeResult.State.REVERTED : NodeResult.State.BROKEN,
        back.report().flatMap(DeployReport::live),
        back.error(),
        Duration.ZERO);
  }

  private void record(Map<String, NodeResult> results, NodeResult r) {
    results.put(r.node(), r);
    listener.node(
        r.node(),
        r.state().label()
            + r.live().map(l -> ", serving " + l).orElse("")
            + (balancer.isPresent()
                ? String.format(
                    ", out of the balancer %.1fs", r.outOfBalancer().toMillis() / 1000.0)
                : "")
            + r.error().map(e -> "\n    " + firstLine(e)).orElse(""));
  }

  private Optional<String> takeOut(List<String> batch) throws InterruptedException {
    if (balancer.isEmpty()) {
      return Optional.empty();
    }
    try {
      String note = balancer.get().drain(batch, spec.drain());
      listener.note("  " + String.join(", ", batch) + " out of the balancer: " + note);
      return Optional.empty();
    } catch (RolloutException e) {
      // Nothing was switched; some nodes may be drained already: back in, as far as that works.
      try {
        balancer.get().ready(batch, List.of(), Duration.ZERO);
      } catch (RolloutException again) {
        listener.note(
            "  could not put " + String.join(", ", batch) + " back either: " + again.getMessage());
      }
      return Optional.of(
          "could not take " + String.join(", ", batch) + " out of the balancer: " + e.getMessage());
    }
  }

  /**
   * Puts back the nodes known to serve a complete, checked release; a node whose state is unknown
   * (unreachable, its switch-back failed) stays drained, for a person to look at.
   */
  private Optional<String> putBack(Map<String, NodeResult> outcome) throws InterruptedException {
    if (balancer.isEmpty()) {
      return Optional.empty();
    }
    List<String> good =
        outcome.values().stream()
            .filter(r -> r.state() != NodeResult.State.BROKEN)
            .map(NodeResult::node)
            .toList();
    List<String> held =
        outcome.values().stream()
            .filter(r -> r.state() == NodeResult.State.BROKEN)
            .map(NodeResult::node)
            .toList();
    if (!held.isEmpty()) {
      listener.note(
          "  "
              + String.join(", ", held)
              + " stay out of the balancer: their state is not known to be good");
    }
    if (good.isEmpty()) {
      return Optional.empty();
    }
    try {
      String note = balancer.get().ready(good, good, readyTimeout);
      listener.note("  " + String.join(", ", good) + " back in the balancer: " + note);
      return Optional.empty();
    } catch (RolloutException e) {
      return Optional.of(e.getMessage());
    }
  }

  /** A node's switch: its report, or why there is none. */
  private record Attempt(Optional<DeployReport> report, Optional<String> failure) {
    boolean ok() {
      return report.map(DeployReport::ok).orElse(false);
    }

    /** Why the switch failed: the node's error, or why it could not be run at all. */
    Optional<String> error() {
      return failure.isPresent() ? failure : report.flatMap(DeployReport::error);
    }
  }

  private static Map<String, Attempt> parallel(
      List<String> nodes, Parallel.Call<String, DeployReport> step) throws InterruptedException {
    Map<String, Attempt> out = new LinkedHashMap<>();
    Parallel.run(nodes, "switch", step)
        .forEach(
            (node, o) ->
                out.put(
                    node,
                    new Attempt(
                        o.value(),
                        o.error().map(e -> dev.hoist.fleet.Failures.classify(e).message()))));
    return out;
  }

  private static String firstLine(String text) {
    int nl = text.indexOf('\n');
    return nl < 0 ? text : text.substring(0, nl);
  }
}
