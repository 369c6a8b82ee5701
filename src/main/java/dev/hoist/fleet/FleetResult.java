package dev.hoist.fleet;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/** The outcomes of one command on every node, in the order the nodes were given. */
public record FleetResult<T>(List<NodeOutcome<T>> outcomes, Duration elapsed) {
  public FleetResult {
    outcomes = List.copyOf(outcomes);
  }

  /** Every node answered and {@code good} holds for every result. */
  public boolean all(Predicate<T> good) {
    return outcomes.stream().allMatch(o -> o.ok() && good.test(o.result().orElseThrow()));
  }

  /** Some node could not be reached or logged into (and nothing else went wrong). */
  public boolean onlyConnectionFailures() {
    return outcomes.stream().anyMatch(o -> !o.ok())
        && outcomes.stream()
            .allMatch(o -> o.failure().map(f -> f.kind().isConnection()).orElse(true));
  }
}
