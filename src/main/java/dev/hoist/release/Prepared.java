package dev.hoist.release;

import java.time.Duration;
import java.util.Optional;

/**
 * A node after phase one of a rolling deploy: its stack converged and the new release ready beside
 * the live one, or the error that stopped that; what {@link Deployer#activate} needs to switch it.
 */
public final class Prepared {
  private final Deployer.Decision decision;
  private final Optional<String> error;
  private final Duration elapsed;

  Prepared(Deployer.Decision decision, Optional<String> error, Duration elapsed) {
    this.decision = decision;
    this.error = error;
    this.elapsed = elapsed;
  }

  /** A node whose preparation could not even be planned (unreachable, probe failed). */
  public static Prepared failed(String error) {
    return new Prepared(null, Optional.of(error), Duration.ZERO);
  }

  Deployer.Decision decision() {
    return decision;
  }

  public boolean ok() {
    return error.isEmpty();
  }

  public Optional<String> error() {
    return error;
  }

  public Duration elapsed() {
    return elapsed;
  }

  /** The release the node switches to on activation; empty when the live one stays. */
  public Optional<String> newRelease() {
    return decision == null ? Optional.empty() : decision.newRelease();
  }

  /** The release live before this deploy. */
  public Optional<String> liveBefore() {
    return decision == null ? Optional.empty() : decision.releases().current();
  }

  /** Whether activation has anything to do: a new release, or services to start or reload. */
  public boolean needsActivation() {
    return decision != null
        && (decision.newRelease().isPresent() || !decision.plan().deferred().isEmpty());
  }
}
