package dev.hoist.project;

import java.util.List;

/** How releases are kept and prepared: {@code keep} old ones, hooks run in the new release before it goes live. */
public record ReleaseSpec(int keep, List<List<String>> beforeActivate) {
  /** Keep 5 releases, no hooks. */
  public static ReleaseSpec defaults() {
    return new ReleaseSpec(5, List.of());
  }
}
