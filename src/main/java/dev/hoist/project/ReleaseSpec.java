package dev.hoist.project;

import java.util.List;

/**
 * How releases are kept and prepared: {@code keep} old ones; {@code beforeActivate} hooks run in
 * the new release on every node before it goes live; {@code runOnce} hooks (migrations) run on one
 * node per deploy, after every node is prepared and before any switches.
 */
public record ReleaseSpec(int keep, List<List<String>> beforeActivate, List<List<String>> runOnce) {
  public ReleaseSpec {
    beforeActivate = List.copyOf(beforeActivate);
    runOnce = List.copyOf(runOnce);
  }

  public ReleaseSpec(int keep, List<List<String>> beforeActivate) {
    this(keep, beforeActivate, List.of());
  }

  /** Keep 5 releases, no hooks. */
  public static ReleaseSpec defaults() {
    return new ReleaseSpec(5, List.of());
  }
}
