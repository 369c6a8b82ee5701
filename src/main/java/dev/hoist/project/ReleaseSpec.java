package dev.hoist.project;

import java.time.Duration;
import java.util.List;

/**
 * How releases are kept and prepared: {@code keep} old ones; {@code beforeActivate} hooks run in
 * the new release on every node before it goes live; {@code runOnce} hooks (migrations) run on one
 * node per deploy, after every node is prepared and before any switches; a hook still running after
 * {@code hookTimeout} is killed with its whole process group, and the deploy fails.
 */
public record ReleaseSpec(
    int keep, List<List<String>> beforeActivate, List<List<String>> runOnce, Duration hookTimeout) {
  /** How long a hook may run unless {@code release.hook_timeout} says otherwise. */
  public static final Duration DEFAULT_HOOK_TIMEOUT = Duration.ofMinutes(10);

  public ReleaseSpec {
    beforeActivate = List.copyOf(beforeActivate);
    runOnce = List.copyOf(runOnce);
  }

  public ReleaseSpec(int keep, List<List<String>> beforeActivate, List<List<String>> runOnce) {
    this(keep, beforeActivate, runOnce, DEFAULT_HOOK_TIMEOUT);
  }

  public ReleaseSpec(int keep, List<List<String>> beforeActivate) {
    this(keep, beforeActivate, List.of());
  }

  /** Keep 5 releases, no hooks. */
  public static ReleaseSpec defaults() {
    return new ReleaseSpec(5, List.of());
  }
}
