package dev.hoist.fleet;

import java.time.Duration;
import java.util.Optional;

/** What a command did on one node: a result, or a failure with its cause; and how long it took. */
public record NodeOutcome<T>(
    String node, Optional<T> result, Optional<NodeFailure> failure, Duration elapsed) {
  public static <T> NodeOutcome<T> of(String node, T result, Duration elapsed) {
    return new NodeOutcome<>(node, Optional.of(result), Optional.empty(), elapsed);
  }

  public static <T> NodeOutcome<T> failed(String node, NodeFailure failure, Duration elapsed) {
    return new NodeOutcome<>(node, Optional.empty(), Optional.of(failure), elapsed);
  }

  public boolean ok() {
    return failure.isEmpty();
  }
}
