package dev.hoist.rollout;

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
  private final AtomicBoolean stop = new AtomicBoolean();

  /** {@code readyTimeout}: how long HAProxy may take to see a put-back node UP. */
  public Rollout(Optional<Balancer> balancer, RolloutSpec spec, Duration readyTimeout, RolloutListener listener) {
    this.balancer = balancer;
    this.spec = spec;
    this.readyTimeout = readyTimeout;
    this.listener = listener;
  }

  /** Ctrl-C: the batch in progress finishes (and goes back into the balancer); no other starts. */
  public void stop() {
    stop.set(true);
  }

  /** The result of each node that a batch reached, in order, and how the run ended. */
  public record Run(RolloutReport.Outcome outcome, String message, Map<String, NodeResult> nodes) {}

  public Run run(List<List<String>> batches, NodeSwitch action) throws InterruptedException {
    Map<String, NodeResult> results = new LinkedHashMap<>();
    List<List<String>> done = new ArrayList<>();
    for (int i = 0; i < batches.size(); i++) {
      List<String> batch = batches.get(i);
      if (stop.get()) {
        return new Run(RolloutReport.Outcome.INTERRUPTED, "interrupted: batch " + (i + 1) + " of " + batches.size()
            + " and later were not started; every node serves a complete release", results);
      }
      listener.batch(i + 1, batches.size(), batch);
      Optional<String> failure = runBatch(batch, action, results);
      if (failure.isPresent()) {
        if (spec.onFailure() == RolloutSpec.OnFailure.ROLLBACK_ALL) {
          for (List<String> earlier : done.reversed()) {
            revertBatch(earlier, action, results);
          }
        }
        return new Run(RolloutReport.Outcome.FAILED, "batch " + (i + 1) + " of " + batches.size() + " failed: "
            + failure.get() + (spec.onFailure() == RolloutSpec.OnFailure.ROLLBACK_ALL
                ? "; on_failure: rollback_all put every switched node back" : "; the rollout stopped there"),
            results);
      }
      done.add(batch);
    }
    return new Run(RolloutReport.Outcome.DONE, "", results);
  }

  /** One batch: out, switch, (switch back on failure), in. Returns the first failure, if any. */
  private Optional<String> runBatch(List<String> batch, NodeSwitch action, Map<String, NodeResult> results)
      throws InterruptedException {
    long start = System.nanoTime();
    Optional<String> lbProblem = takeOut(batch);
    if (lbProblem.isPresent()) {
      return lbProblem;
    }
    Map<String, Attempt> attempts = parallel(batch, action::apply);
    List<String> failed = batch.stream().filter(n -> !attempts.get(n).ok()).toList();
    Map<String, Attempt> reverts = failed.isEmpty() ? Map.of()
        : parallel(batch.stream().filter(n -> !failed.contains(n)).toList(), action::revert);
    // Every node goes back in: the failed ones switched themselves back; HAProxy's own check keeps
    // out any that is still sick. Only the nodes that answered are waited for.
    List<String> reachable = batch.stream().filter(n -> attempts.get(n).report().isPresent()).toList();
    Optional<String> readyProblem = putBack(batch, reachable);
    Duration out = Duration.ofNanos(System.nanoTime() - start);
    for (String node : batch) {
      Attempt a = attempts.get(node);
      NodeResult r;
      if (reverts.containsKey(node)) {
        Attempt back = reverts.get(node);
        r = new NodeResult(node, back.ok() ? NodeResult.State.REVERTED : NodeResult.State.BROKEN,
            back.report().flatMap(DeployReport::live), back.error(), out);
      } else if (a.ok()) {
        r = new NodeResult(node, NodeResult.State.SWITCHED, a.report().flatMap(DeployReport::live), Optional.empty(), out);
      } else {
        boolean clean = a.report().map(DeployReport::rolledBack).orElse(false)
            || a.report().map(rep -> rep.live().equals(rep.liveBefore())).orElse(false);
        r = new NodeResult(node, clean ? NodeResult.State.FAILED : NodeResult.State.BROKEN,
            a.report().flatMap(DeployReport::live), a.error(), out);
      }
      results.put(node, r);
      listener.node(node, r.state().label() + r.live().map(l -> ", serving " + l).orElse("")
          + String.format(", out of the balancer %.1fs", out.toMillis() / 1000.0)
          + r.error().map(e -> "\n    " + firstLine(e)).orElse(""));
    }
    if (!failed.isEmpty()) {
      return Optional.of(failed.stream().map(n -> n + ": " + attempts.get(n).error().map(Rollout::firstLine).orElse("failed"))
          .reduce((a, b) -> a + "; " + b).orElseThrow());
    }
    return readyProblem;
  }

  /** With rollback_all: an earlier, healthy batch goes back to its old release the same careful way. */
  private void revertBatch(List<String> batch, NodeSwitch action, Map<String, NodeResult> results)
      throws InterruptedException {
    listener.note("rolling back " + String.join(", ", batch) + " (on_failure: rollback_all)");
    long start = System.nanoTime();
    if (takeOut(batch).isPresent()) {
      return;
    }
    Map<String, Attempt> reverts = parallel(batch, action::revert);
    putBack(batch, batch.stream().filter(n -> reverts.get(n).report().isPresent()).toList());
    Duration out = Duration.ofNanos(System.nanoTime() - start);
    for (String node : batch) {
      Attempt back = reverts.get(node);
      NodeResult before = results.get(node);
      results.put(node, new NodeResult(node, back.ok() ? NodeResult.State.REVERTED : NodeResult.State.BROKEN,
          back.report().flatMap(DeployReport::live), back.error(), before.outOfBalancer().plus(out)));
      listener.node(node, back.ok() ? "rolled back" : "roll back failed: " + back.error().map(Rollout::firstLine).orElse(""));
    }
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
      // Not taken out means not switched: the batch keeps serving its old release.
      return Optional.of("could not take " + String.join(", ", batch) + " out of the balancer: " + e.getMessage());
    }
  }

  private Optional<String> putBack(List<String> batch, List<String> waitFor) throws InterruptedException {
    if (balancer.isEmpty()) {
      return Optional.empty();
    }
    try {
      String note = balancer.get().ready(batch, waitFor, readyTimeout);
      listener.note("  " + String.join(", ", batch) + " back in the balancer: " + note);
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

  private static Map<String, Attempt> parallel(List<String> nodes, Parallel.Call<String, DeployReport> step)
      throws InterruptedException {
    Map<String, Attempt> out = new LinkedHashMap<>();
    Parallel.run(nodes, "switch", step).forEach((node, o) -> out.put(node, new Attempt(o.value(),
        o.error().map(e -> dev.hoist.fleet.Failures.classify(e).message()))));
    return out;
  }

  private static String firstLine(String text) {
    int nl = text.indexOf('\n');
    return nl < 0 ? text : text.substring(0, nl);
  }
}
