package dev.hoist.scaffold;

import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.SortedSet;

/** Somewhere skeletons come from: the ones built into Hoist, or a user's directory. */
interface SkeletonSource {
  /**
   * The names of the skeletons found here; empty if none.
   *
   * @throws UncheckedIOException if a directory that exists cannot be listed
   */
  SortedSet<String> names();

  /** The skeleton called {@code name}, or empty if there is none here. */
  Optional<Skeleton> load(String name) throws ScaffoldException;
}
