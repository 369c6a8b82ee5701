package dev.hoist.project;

import java.util.OptionalInt;

/** Gunicorn worker count: fixed, or {@code auto} = 2 x cores + 1 on the node. */
public record Workers(OptionalInt fixed) {
  public static Workers auto() {
    return new Workers(OptionalInt.empty());
  }

  public int resolve(int cores) {
    return fixed.orElse(2 * Math.max(1, cores) + 1);
  }
}
